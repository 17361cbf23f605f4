using System.ComponentModel;
using System.Globalization;
using ClusterTrainer.Core;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>
/// Flags shared by `train` and `bench`. Unset flags take the documented per-model defaults
/// (<see cref="TrainingSettings.DefaultsFor"/>); every value is checked once, with an error naming the flag.
/// </summary>
public class TrainOptions : CommandSettings
{
    [CommandOption("-m|--model <MODEL>")]
    [Description("mlp | cnn | rnn | tabular (default mlp)")]
    public string Model { get; init; } = "mlp";

    [CommandOption("--data <PATH>")]
    [Description("IDX directory, CSV file, or `sample` for the embedded sample (default: $CLUSTERTRAINER_DATA, then /usr/share/datasets/fashion-mnist, then the embedded sample)")]
    public string? Data { get; init; }

    [CommandOption("-e|--epochs <N>")]
    [Description("Passes over the training set (default 10)")]
    public string? Epochs { get; init; }

    [CommandOption("-b|--batch-size <N>")]
    [Description("Global mini-batch: samples per optimizer step, split across workers (default 100; 1 = SGD, the training-set size = batch gradient descent)")]
    public string? BatchSize { get; init; }

    [CommandOption("--lr <RATE>")]
    [Description("Learning rate (default: 0.05 mlp, 0.001 cnn, 0.002 rnn, 0.01 tabular)")]
    public string? LearningRate { get; init; }

    [CommandOption("--optimizer <NAME>")]
    [Description("sgd | adam (default: sgd for mlp, adam otherwise)")]
    public string? Optimizer { get; init; }

    [CommandOption("--lr-schedule <NAME>")]
    [Description("cosine (decay to 0 over the run) | constant (default cosine)")]
    public string? Schedule { get; init; }

    [CommandOption("--momentum <M>")]
    [Description("SGD momentum, 0 <= M < 1 (default 0.9; sgd only)")]
    public string? Momentum { get; init; }

    [CommandOption("--hidden <SIZES>")]
    [Description("Hidden layer sizes, comma separated (default: 256,256 mlp; 256 cnn; 128 rnn; 16 tabular)")]
    public string? Hidden { get; init; }

    [CommandOption("--activation <NAME>")]
    [Description("relu | sigmoid | tanh for the mlp and tabular models (default relu)")]
    public string? Activation { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of initial parameters and epoch order (default 1)")]
    public string? Seed { get; init; }

    [CommandOption("--limit <N>")]
    [Description("Train on the first N training samples only")]
    public string? Limit { get; init; }

    [CommandOption("--threads <N>")]
    [Description("Intra-op threads per worker (default: each worker's own node decides: its cores / the workers sharing them; 1 with --deterministic)")]
    public string? Threads { get; init; }

    [CommandOption("-w|--workers <N>")]
    [Description("Worker actors, each with a model replica (default: 1 for mlp and tabular, 2 for cnn and rnn, the fastest on 2 cores; see README)")]
    public string? Workers { get; init; }

    [CommandOption("--shards <N>")]
    [Description("Data-shard actors (default 1)")]
    public string? Shards { get; init; }

    [CommandOption("--max-classes <N>")]
    [Description("Refuse labels that make more classes than this (default 1000): thousands of distinct labels are usually an id column")]
    public string? MaxClasses { get; init; }

    [CommandOption("--device <DEVICE>")]
    [Description("cpu | cuda (default cpu; cuda needs the CUDA TorchSharp build)")]
    public string? Device { get; init; }

    [CommandOption("--exchange-staging <MODE>")]
    [Description("auto | always | never: exchange gradients through a host staging buffer (copy out, all-reduce, copy in); auto does so when the device is not the CPU, always forces it on the CPU too (default auto)")]
    public string? ExchangeStaging { get; init; }

    [CommandOption("--precision <FORMAT>")]
    [Description("float32 | bf16: bf16 runs forward and backward on a bfloat16 copy of the model, keeping float32 parameters, gradients and optimizer state (default float32; see README for what it gains here)")]
    public string? Precision { get; init; }

    [CommandOption("--deterministic")]
    [Description("Bitwise-identical parameters for any number of workers: fixed micro-batches, each gradient computed alone, summed exactly in int64 fixed point (see README for its cost)")]
    public bool Deterministic { get; init; }

    [CommandOption("--micro-batch <N>")]
    [Description("Samples per micro-batch with --deterministic, independent of the workers (default: half the batch size, rounded up; more workers than micro-batches per step leaves some idle)")]
    public string? MicroBatch { get; init; }

    /// <exception cref="SettingsException">naming the flag whose value cannot be used.</exception>
    public TrainingSettings ToSettings()
    {
        var model = ParseEnum<ModelKind>(Model, "--model", "mlp, cnn, rnn, tabular");
        var defaults = TrainingSettings.DefaultsFor(model);
        var settings = (defaults with
        {
            Data = Data,
            Epochs = FlagValues.Int(Epochs, "--epochs") ?? defaults.Epochs,
            BatchSize = FlagValues.Int(BatchSize, "--batch-size") ?? defaults.BatchSize,
            LearningRate = FlagValues.Double(LearningRate, "--lr") ?? defaults.LearningRate,
            Optimizer = Optimizer is null ? defaults.Optimizer : ParseEnum<OptimizerKind>(Optimizer, "--optimizer", "sgd, adam"),
            Momentum = FlagValues.Double(Momentum, "--momentum") ?? defaults.Momentum,
            Schedule = Schedule is null ? defaults.Schedule : ParseEnum<ScheduleKind>(Schedule, "--lr-schedule", "cosine, constant"),
            Hidden = Hidden is null ? defaults.Hidden : ParseSizes(Hidden),
            Activation = Activation is null ? defaults.Activation : ParseEnum<Activation>(Activation, "--activation", "relu, sigmoid, tanh"),
            Seed = FlagValues.Int(Seed, "--seed") ?? defaults.Seed,
            Limit = FlagValues.Int(Limit, "--limit"),
            Threads = FlagValues.Int(Threads, "--threads"),
            Workers = FlagValues.Int(Workers, "--workers") ?? defaults.Workers,
            Shards = FlagValues.Int(Shards, "--shards") ?? defaults.Shards,
            Device = Device ?? defaults.Device,
            ExchangeStaging = ExchangeStaging is null ? defaults.ExchangeStaging : ParseEnum<ExchangeStaging>(ExchangeStaging, "--exchange-staging", "auto, always, never"),
            MaxClasses = FlagValues.Int(MaxClasses, "--max-classes") ?? defaults.MaxClasses,
            Precision = Precision is null ? defaults.Precision : ParseEnum<Precision>(Precision, "--precision", "float32, bf16"),
            Deterministic = Deterministic || defaults.Deterministic,
            MicroBatch = FlagValues.Int(MicroBatch, "--micro-batch"),
        }).Validate();
        return SettingApplicability.Require(settings, GivenFlags());
    }

    /// <summary>The flags given on the command line (every option that is set: not null, a flag not false), by long name.</summary>
    public IReadOnlySet<string> GivenFlags() => FlagNames(value => value is not null and not false);

    /// <summary>Every flag of this class, given or not, by long name.</summary>
    public IReadOnlySet<string> AllFlags() => FlagNames(_ => true);

    private HashSet<string> FlagNames(Func<object?, bool> include) =>
        GetType().GetProperties()
            .Where(p => include(p.GetValue(this)))
            .Select(p => p.GetCustomAttributes(typeof(CommandOptionAttribute), inherit: true).OfType<CommandOptionAttribute>().FirstOrDefault())
            .OfType<CommandOptionAttribute>()
            .SelectMany(a => a.LongNames.Select(n => "--" + n))
            .ToHashSet(StringComparer.Ordinal);

    public override Spectre.Console.ValidationResult Validate()
    {
        try
        {
            ToSettings();
            return Spectre.Console.ValidationResult.Success();
        }
        catch (SettingsException error)
        {
            return Spectre.Console.ValidationResult.Error(error.Message);
        }
    }

    private static T ParseEnum<T>(string value, string flag, string valid)
        where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _)
            ? parsed
            : throw new SettingsException(flag, $"'{value}' is not one of {valid}");

    private static int[] ParseSizes(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sizes = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
            {
                throw new SettingsException("--hidden", $"'{parts[i]}' is not a positive layer size (example: --hidden 256,256)");
            }
        }

        return sizes;
    }
}
