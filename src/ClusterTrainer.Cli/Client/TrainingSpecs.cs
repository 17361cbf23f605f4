using ClusterTrainer.Api.V1;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cli.Client;

/// <summary>Settings the CLI validated, spelled out as a request (every field explicit, nothing left to server defaults).</summary>
public static class TrainingSpecs
{
    public static TrainingSpec From(TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.ExchangeStaging != ExchangeStaging.Auto)
        {
            // The request has no field for it yet; sending the job without it would run something else than asked.
            throw new SettingsException("--exchange-staging", $"'{settings.ExchangeStaging.ToString().ToLowerInvariant()}' cannot be sent through the job API yet; leave it at auto for submitted jobs (use it with train or cluster)");
        }

        if (settings.Deterministic)
        {
            // As above: no request field yet (the job API's settings table will carry it).
            throw new SettingsException("--deterministic", "cannot be sent through the job API yet; use it with train or cluster");
        }

        if (settings.Precision != Precision.Float32)
        {
            throw new SettingsException("--precision", $"'{settings.Precision.ToString().ToLowerInvariant()}' cannot be sent through the job API yet; use it with train or cluster");
        }

        var spec = new TrainingSpec
        {
            Model = settings.Model.ToString().ToLowerInvariant(),
            Data = settings.Data ?? string.Empty,
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            LearningRate = settings.LearningRate,
            Optimizer = settings.Optimizer.ToString().ToLowerInvariant(),
            Seed = settings.Seed,
            Limit = settings.Limit ?? 0,
            Workers = settings.Workers,
            Shards = settings.Shards,
            LrSchedule = settings.Schedule.ToString().ToLowerInvariant(),
            Momentum = settings.Momentum,
            Activation = settings.Activation.ToString().ToLowerInvariant(),
        };
        spec.Hidden.AddRange(settings.Hidden);
        return spec;
    }
}
