using ClusterTrainer.Api.Settings;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cli.Benchmarks;

/// <summary>
/// The job `bench --peer-report` compares: the seed CNN with the training flags given, defaulting to the issue's
/// setting (1 epoch, 2 workers x 1 thread, Adam 0.001, and the seed CNN's batch 64, no dropout and no mirrored images: the
/// comparison measured in issue 14 was of that network, before the defaults became batch 32, dropout and flips). Settings the PyTorch peer does not
/// mirror are refused, so the two sides never quietly train different things.
/// </summary>
public static class PeerReportSettings
{
    public const int DefaultSamples = 20_000;

    /// <summary>The seed CNN's batch, the one the comparison used.</summary>
    public const int SeedBatch = 64;

    /// <param name="textByFlag">The training flags as typed (<c>TrainOptions.SettingTexts</c>).</param>
    public static TrainingSettings From(IReadOnlyDictionary<string, string> textByFlag)
    {
        ArgumentNullException.ThrowIfNull(textByFlag);
        var texts = textByFlag.ToDictionary(StringComparer.Ordinal);

        // --model defaults to mlp for every command, so mlp here means it was left out.
        if (texts.TryGetValue("--model", out var model) && model is not ("mlp" or "cnn"))
        {
            throw new SettingsException("--model", $"--peer-report compares the seed CNN only (its PyTorch peer is that network); got '{model}'. Fix: leave --model out");
        }

        texts["--model"] = "cnn";
        var given = TrainingSettingsSchema.FromText(texts);
        Refuse(given.Optimizer != OptimizerKind.Adam, "--optimizer", "the PyTorch peer trains with Adam, as the seed CNN does. Fix: leave --optimizer out");
        Refuse(given.Deterministic, "--deterministic", "the PyTorch peer has no deterministic mode; compare modes with `bench --modes`. Fix: leave --deterministic out");
        Refuse(given.Precision != Precision.Float32, "--precision", "the PyTorch peer trains in float32; compare precisions with `bench --modes`. Fix: leave --precision out");
        Refuse(given.Device != "cpu", "--device", "the PyTorch peer runs on the CPU. Fix: leave --device out");
        Refuse(texts.ContainsKey("--augment") && given.Augment != AugmentKind.None, "--augment", "the PyTorch peer trains on the images as stored. Fix: leave --augment out");
        return given with
        {
            Epochs = texts.ContainsKey("--epochs") ? given.Epochs : 1,
            Threads = given.Threads ?? 1,
            Dropout = texts.ContainsKey("--dropout") ? given.Dropout : 0,
            Augment = AugmentKind.None,
            BatchSize = texts.ContainsKey("--batch-size") ? given.BatchSize : SeedBatch,
            Limit = null,
        };
    }

    private static void Refuse(bool refused, string flag, string why)
    {
        if (refused)
        {
            throw new SettingsException(flag, why);
        }
    }
}
