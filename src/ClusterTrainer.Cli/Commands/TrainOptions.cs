using System.ComponentModel;
using ClusterTrainer.Api.Settings;
using ClusterTrainer.Core;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>
/// The training settings' flags, shared by `train`, `cluster`, `submit` and `bench`. Each option is a row of
/// <see cref="TrainingSettingsSchema"/>, which parses and checks it: unset flags take the documented per-model
/// defaults (<see cref="TrainingSettings.DefaultsFor"/>), and an error names the flag.
/// </summary>
public class TrainOptions : CommandSettings
{
    [CommandOption("-m|--model <MODEL>")]
    [Description("mlp | cnn | rnn | tabular (default mlp)")]
    public string? Model { get; init; }

    [CommandOption("--data <PATH>")]
    [Description("IDX directory, CSV file, or `sample` for the embedded sample (default: $CLUSTERTRAINER_DATA, then /usr/share/datasets/fashion-mnist, then the embedded sample)")]
    public string? Data { get; init; }

    [CommandOption("-e|--epochs <N>")]
    [Description("Passes over the training set (default 10)")]
    public string? Epochs { get; init; }

    [CommandOption("-b|--batch-size <N>")]
    [Description("Global mini-batch: samples per optimizer step, split across workers (default: 100; 32 cnn; 16 tabular; 1 = SGD, the training-set size = batch gradient descent)")]
    public string? BatchSize { get; init; }

    [CommandOption("--lr <RATE>")]
    [Description("Learning rate (default: 0.001 mlp and cnn, 0.003 rnn, 0.01 tabular)")]
    public string? LearningRate { get; init; }

    [CommandOption("--optimizer <NAME>")]
    [Description("sgd | adam (default adam)")]
    public string? Optimizer { get; init; }

    [CommandOption("--lr-schedule <NAME>")]
    [Description("cosine (a warm-up, the base rate, then a cosine decay to --lr-floor over the last --lr-decay of the run) | constant (default cosine)")]
    public string? Schedule { get; init; }

    [CommandOption("--lr-warmup <SHARE>")]
    [Description("Share of the run's steps over which the rate rises linearly to --lr, 0 <= S < 1 (default 0.02; cosine only)")]
    public string? LrWarmup { get; init; }

    [CommandOption("--lr-decay <SHARE>")]
    [Description("Share of the run's steps, at its end, over which the cosine decays, 0 < S <= 1 (default: 0.2; 0.4 cnn; 1 = the whole run; cosine only)")]
    public string? LrDecay { get; init; }

    [CommandOption("--lr-floor <SHARE>")]
    [Description("Where the cosine decay ends, as a share of --lr, 0 to 1 (default 0.1; 0 = decay to zero; cosine only)")]
    public string? LrFloor { get; init; }

    [CommandOption("--dropout <RATE>")]
    [Description("Dropout of the hidden activations, 0 <= P < 1 (default: 0.1 cnn and rnn, 0 mlp and tabular)")]
    public string? Dropout { get; init; }

    [CommandOption("--augment <KIND>")]
    [Description("How training images are varied: none | flip (each image mirrored left to right in a random half of the epochs, drawn from its seed, epoch and index; evaluation averages each test image with its mirror) (default: flip cnn, none mlp and rnn; images only)")]
    public string? Augment { get; init; }

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

    [CommandOption("--min-workers <N>")]
    [Description("After losing workers, go on only with at least N; below, wait up to 2 minutes for worker nodes to join, then fail (default 1)")]
    public string? MinWorkers { get; init; }

    [CommandOption("--max-workers <N>")]
    [Description("Grow the job to N workers as worker nodes register while it runs; each joins at a step boundary and the results do not change (default: --workers, so a lost worker's replacement joins)")]
    public string? MaxWorkers { get; init; }

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

    [CommandOption("--exchange-precision <PRECISION>")]
    [Description("What the gradient all-reduce carries: float32 | bf16 (half the bytes, partial sums rounded to bfloat16) (default float32; bf16 not with --deterministic)")]
    public string? ExchangePrecision { get; init; }

    [CommandOption("--all-reduce <KIND>")]
    [Description("How worker processes all-reduce: ring (one ring of all workers) | hierarchical (a ring per row and per column of a grid of the workers: the same bytes in about 4 sqrt(N) hops instead of 2(N - 1), for many workers on links with latency) (default ring; not for train's in-process workers)")]
    public string? AllReduce { get; init; }

    [CommandOption("--bucket-mb <MB>")]
    [Description("Overlap the gradient exchange with backward: all-reduce each bucket of at least MB megabytes of gradients (last layers first) as soon as backward has computed it, while backward goes on (default: one exchange after backward; the same result either way; float32 only)")]
    public string? BucketMb { get; init; }

    [CommandOption("--deterministic")]
    [Description("Bitwise-identical parameters for any number of workers: fixed micro-batches, each gradient computed alone, summed exactly in int64 fixed point (see README for its cost)")]
    public bool Deterministic { get; init; }

    [CommandOption("--micro-batch <N>")]
    [Description("Samples per micro-batch with --deterministic, independent of the workers (default: half the batch size, rounded up; more workers than micro-batches per step leaves some idle)")]
    public string? MicroBatch { get; init; }

    [CommandOption("--checkpoint-every <N>")]
    [Description("Also write a checkpoint every N steps (default: at each epoch's end, and every 5 minutes of training); --resume continues from the newest")]
    public string? CheckpointEvery { get; init; }

    /// <exception cref="SettingsException">naming the flag whose value cannot be used.</exception>
    public TrainingSettings ToSettings() => TrainingSettingsSchema.FromText(SettingTexts());

    /// <summary>
    /// The training settings given on the command line, by flag, as typed (a switch as "true"). Only this class's
    /// options count: a command's own (submit's --server) are not training settings.
    /// </summary>
    public IReadOnlyDictionary<string, string> SettingTexts() =>
        typeof(TrainOptions).GetProperties()
            .Select(p => (Flag: LongFlag(p), Text: p.GetValue(this) switch { string text => text, true => "true", _ => null }))
            .Where(option => option is { Flag: not null, Text: not null })
            .ToDictionary(option => option.Flag!, option => option.Text!, StringComparer.Ordinal);

    /// <summary>The long flag of an option property (--epochs); null for a property that is not an option.</summary>
    public static string? LongFlag(System.Reflection.PropertyInfo property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return property.GetCustomAttributes(typeof(CommandOptionAttribute), inherit: true).OfType<CommandOptionAttribute>().FirstOrDefault()?.LongNames.Select(n => "--" + n).FirstOrDefault();
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
}
