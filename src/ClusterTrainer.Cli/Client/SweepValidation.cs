using ClusterTrainer.Cli.Commands;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cli.Client;

/// <summary>
/// Checks every point of a sweep before any is submitted, with the rules `train` applies to its flags, so a bad
/// value in the grid's last point does not leave the first points running alone. Zero is a value: `epochs: 0`
/// is refused, not taken for "the default".
/// </summary>
public static class SweepValidation
{
    private static readonly Dictionary<string, string> FlagOfKey = new(StringComparer.Ordinal)
    {
        ["model"] = "--model",
        ["data"] = "--data",
        ["epochs"] = "--epochs",
        ["batch_size"] = "--batch-size",
        ["learning_rate"] = "--lr",
        ["optimizer"] = "--optimizer",
        ["seed"] = "--seed",
        ["limit"] = "--limit",
        ["workers"] = "--workers",
        ["shards"] = "--shards",
        ["lr_schedule"] = "--lr-schedule",
        ["momentum"] = "--momentum",
        ["activation"] = "--activation",
    };

    /// <exception cref="InvalidDataException">naming the file and every invalid point with its key and problem.</exception>
    public static void Require(string path, IReadOnlyList<SweepPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var problems = new List<string>();
        for (var i = 0; i < points.Count; i++)
        {
            try
            {
                ToSettings(points[i].Values);
            }
            catch (SettingsException error)
            {
                problems.Add($"point {i + 1} ({points[i].Name}): {InKeys(error)}");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException($"{path}: {problems.Count} of {points.Count} points cannot run, so nothing was submitted: {string.Join("; ", problems)}");
        }
    }

    /// <summary>The settings `train` would run for these sweep values.</summary>
    /// <exception cref="SettingsException">naming the flag of the first value that cannot be used.</exception>
    public static TrainingSettings ToSettings(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        string? Get(string key) => values.TryGetValue(key, out var value) ? value : null;
        return new TrainOptions
        {
            Model = Get("model") ?? "mlp",
            Data = Get("data"),
            Epochs = Get("epochs"),
            BatchSize = Get("batch_size"),
            LearningRate = Get("learning_rate"),
            Optimizer = Get("optimizer"),
            Seed = Get("seed"),
            Limit = Get("limit"),
            Workers = Get("workers"),
            Shards = Get("shards"),
            Schedule = Get("lr_schedule"),
            Momentum = Get("momentum"),
            Activation = Get("activation"),
        }.ToSettings();
    }

    /// <summary>The error in the file's words: "epochs: must be at least 1", not "--epochs: ...".</summary>
    private static string InKeys(SettingsException error)
    {
        var key = FlagOfKey.FirstOrDefault(pair => pair.Value == error.Setting).Key;
        return key is not null && error.Message.StartsWith(error.Setting, StringComparison.Ordinal)
            ? key + error.Message[error.Setting.Length..]
            : error.Message;
    }
}
