using ClusterTrainer.Api.V1;
using ClusterTrainer.Core;
using Grpc.Core;

namespace ClusterTrainer.Cluster.Api;

/// <summary>
/// Turns a request's training spec into validated settings: unset fields take the model's defaults, and a
/// bad value becomes InvalidArgument naming the request field (training.epochs), never a crash.
/// </summary>
public static class TrainingSpecMapper
{
    private static readonly Dictionary<string, string> FieldOfSetting = new(StringComparer.Ordinal)
    {
        ["--model"] = "training.model",
        ["--epochs"] = "training.epochs",
        ["--batch-size"] = "training.batch_size",
        ["--lr"] = "training.learning_rate",
        ["--optimizer"] = "training.optimizer",
        ["--limit"] = "training.limit",
        ["--workers"] = "training.workers",
        ["--shards"] = "training.shards",
        ["--lr-schedule"] = "training.lr_schedule",
        ["--momentum"] = "training.momentum",
        ["--hidden"] = "training.hidden",
        ["--activation"] = "training.activation",
    };

    public static TrainingSettings ToSettings(TrainingSpec? spec)
    {
        if (spec is null)
        {
            throw Invalid("training", "is required");
        }

        try
        {
            var model = Parse<ModelKind>(string.IsNullOrEmpty(spec.Model) ? "mlp" : spec.Model, "--model", "mlp, cnn, rnn, tabular");
            var defaults = TrainingSettings.DefaultsFor(model);
            return (defaults with
            {
                Data = string.IsNullOrWhiteSpace(spec.Data) ? null : spec.Data,
                Epochs = spec.Epochs != 0 ? spec.Epochs : defaults.Epochs,
                BatchSize = spec.BatchSize != 0 ? spec.BatchSize : defaults.BatchSize,
                LearningRate = spec.LearningRate != 0 ? spec.LearningRate : defaults.LearningRate,
                Optimizer = string.IsNullOrEmpty(spec.Optimizer) ? defaults.Optimizer : Parse<OptimizerKind>(spec.Optimizer, "--optimizer", "sgd, adam"),
                Seed = spec.Seed != 0 ? spec.Seed : defaults.Seed,
                Limit = spec.Limit != 0 ? spec.Limit : null,
                Workers = spec.Workers != 0 ? spec.Workers : defaults.Workers,
                Shards = spec.Shards != 0 ? spec.Shards : defaults.Shards,
                Schedule = string.IsNullOrEmpty(spec.LrSchedule) ? defaults.Schedule : Parse<ScheduleKind>(spec.LrSchedule, "--lr-schedule", "cosine, constant"),
                Momentum = spec.Momentum != 0 ? spec.Momentum : defaults.Momentum,
                Hidden = spec.Hidden.Count > 0 ? spec.Hidden.ToArray() : defaults.Hidden,
                Activation = string.IsNullOrEmpty(spec.Activation) ? defaults.Activation : Parse<Activation>(spec.Activation, "--activation", "relu, sigmoid, tanh"),
            }).Validate();
        }
        catch (SettingsException error)
        {
            var field = FieldOfSetting.GetValueOrDefault(error.Setting, error.Setting);
            throw Invalid(field, error.Message[(error.Setting.Length + 2)..]);
        }
    }

    public static RpcException Invalid(string field, string problem) =>
        new(new Status(StatusCode.InvalidArgument, $"{field}: {problem}"));

    private static T Parse<T>(string value, string setting, string valid)
        where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _)
            ? parsed
            : throw new SettingsException(setting, $"'{value}' is not one of {valid}");
}
