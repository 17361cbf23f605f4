using ClusterTrainer.Api.V1;
using ClusterTrainer.Core;

namespace ClusterTrainer.Api.Settings;

/// <summary>
/// The one table of a supervised training job's settings: for each, its command-line flag, its field in the job
/// API's TrainingSpec, its sweep-file key, what it accepts and how each of those is read and written. The command
/// line, the API (both ends) and sweep files all go through it, so a setting listed here reaches a job from every
/// entry point, and a setting that is not listed cannot be given anywhere (a test fails for a TrainingSettings
/// property without a row). README "Settings" is this table in words; a test keeps the two equal.
/// </summary>
/// <remarks>
/// Adding a setting: one row here (the helper that fits its type), the property in TrainingSettings with its check
/// in TrainingSettings.Validate, a field in the proto's TrainingSpec, the option property in the CLI's TrainOptions,
/// and the README row the test prints.
/// </remarks>
public static class TrainingSettingsSchema
{
    private static readonly SettingRows<TrainingSettings, TrainingSpec> Row = new("training");

    /// <summary>
    /// The rows, applied in this order. The model comes first because choosing it resets every other setting to
    /// that model's defaults (<see cref="TrainingSettings.DefaultsFor"/>).
    /// </summary>
    public static IReadOnlyList<SettingRow<TrainingSettings, TrainingSpec>> Rows { get; } =
    [
        Row.Choice<ModelKind>(nameof(TrainingSettings.Model), "--model", "model", "model", s => s.Model, (_, v) => TrainingSettings.DefaultsFor(v), spec => spec.Model, (spec, v) => spec.Model = v),
        Row.Text(nameof(TrainingSettings.Data), "--data", "data", "data", "an IDX directory, a CSV file, or sample (on the coordinator's node for submitted jobs)", "the default search (see Data)",
            s => s.Data, (s, v) => s with { Data = string.IsNullOrWhiteSpace(v) ? null : v }, spec => spec.Data, (spec, v) => spec.Data = v),
        Row.Number(nameof(TrainingSettings.Epochs), "--epochs", "epochs", "epochs", "at least 1",
            s => s.Epochs, (s, v) => s with { Epochs = v }, spec => spec.HasEpochs ? spec.Epochs : null, (spec, v) => spec.Epochs = v),
        Row.Number(nameof(TrainingSettings.BatchSize), "--batch-size", "batch_size", "batch_size", "at least 1",
            s => s.BatchSize, (s, v) => s with { BatchSize = v }, spec => spec.HasBatchSize ? spec.BatchSize : null, (spec, v) => spec.BatchSize = v),
        Row.Number(nameof(TrainingSettings.LearningRate), "--lr", "learning_rate", "learning_rate", "a positive number",
            s => s.LearningRate, (s, v) => s with { LearningRate = v }, spec => spec.HasLearningRate ? spec.LearningRate : null, (spec, v) => spec.LearningRate = v),
        Row.Choice<OptimizerKind>(nameof(TrainingSettings.Optimizer), "--optimizer", "optimizer", "optimizer",
            s => s.Optimizer, (s, v) => s with { Optimizer = v }, spec => spec.Optimizer, (spec, v) => spec.Optimizer = v),
        Row.Choice<ScheduleKind>(nameof(TrainingSettings.Schedule), "--lr-schedule", "lr_schedule", "lr_schedule",
            s => s.Schedule, (s, v) => s with { Schedule = v }, spec => spec.LrSchedule, (spec, v) => spec.LrSchedule = v),
        Row.Number(nameof(TrainingSettings.LrWarmup), "--lr-warmup", "lr_warmup", "lr_warmup", "0 <= S < 1, a share of the steps; cosine only",
            s => s.LrWarmup, (s, v) => s with { LrWarmup = v }, spec => spec.HasLrWarmup ? spec.LrWarmup : null, (spec, v) => spec.LrWarmup = v),
        Row.Number(nameof(TrainingSettings.LrDecay), "--lr-decay", "lr_decay", "lr_decay", "0 < S <= 1, a share of the steps at the end (1 = the whole run); cosine only",
            s => s.LrDecay, (s, v) => s with { LrDecay = v }, spec => spec.HasLrDecay ? spec.LrDecay : null, (spec, v) => spec.LrDecay = v),
        Row.Number(nameof(TrainingSettings.LrFloor), "--lr-floor", "lr_floor", "lr_floor", "0 to 1, a share of the learning rate (0 = decay to zero); cosine only",
            s => s.LrFloor, (s, v) => s with { LrFloor = v }, spec => spec.HasLrFloor ? spec.LrFloor : null, (spec, v) => spec.LrFloor = v),
        Row.Number(nameof(TrainingSettings.Dropout), "--dropout", "dropout", "dropout", "0 <= P < 1 (0 = none)",
            s => s.Dropout, (s, v) => s with { Dropout = v }, spec => spec.HasDropout ? spec.Dropout : null, (spec, v) => spec.Dropout = v),
        Row.Choice<AugmentKind>(nameof(TrainingSettings.Augment), "--augment", "augment", "augment",
            s => s.Augment, (s, v) => s with { Augment = v }, spec => spec.Augment, (spec, v) => spec.Augment = v, "; images only"),
        Row.Number(nameof(TrainingSettings.Momentum), "--momentum", "momentum", "momentum", "0 <= M < 1 (0 = plain SGD); sgd only",
            s => s.Momentum, (s, v) => s with { Momentum = v }, spec => spec.HasMomentum ? spec.Momentum : null, (spec, v) => spec.Momentum = v),
        Row.Sizes(nameof(TrainingSettings.Hidden), "--hidden", "hidden", "hidden", "sizes, each at least 1; one size for cnn and rnn",
            s => s.Hidden, (s, v) => s with { Hidden = v }, spec => spec.Hidden, (spec, v) => spec.Hidden.AddRange(v)),
        Row.Choice<Activation>(nameof(TrainingSettings.Activation), "--activation", "activation", "activation",
            s => s.Activation, (s, v) => s with { Activation = v }, spec => spec.Activation, (spec, v) => spec.Activation = v, "; mlp and tabular only"),
        Row.Number(nameof(TrainingSettings.Seed), "--seed", "seed", "seed", "any whole number (0 included)",
            s => s.Seed, (s, v) => s with { Seed = v }, spec => spec.HasSeed ? spec.Seed : null, (spec, v) => spec.Seed = v),
        Row.OptionalNumber(nameof(TrainingSettings.Limit), "--limit", "limit", "limit", "at least 1", "all training samples",
            s => s.Limit, (s, v) => s with { Limit = v }, spec => spec.HasLimit ? spec.Limit : null, (spec, v) => spec.Limit = v),
        Row.OptionalNumber(nameof(TrainingSettings.Threads), "--threads", "threads", "threads", "at least 1", "each worker's node decides: its cores / the workers sharing them",
            s => s.Threads, (s, v) => s with { Threads = v }, spec => spec.HasThreads ? spec.Threads : null, (spec, v) => spec.Threads = v),
        Row.Number(nameof(TrainingSettings.Workers), "--workers", "workers", "workers", "1 to 256",
            s => s.Workers, (s, v) => s with { Workers = v }, spec => spec.HasWorkers ? spec.Workers : null, (spec, v) => spec.Workers = v),
        Row.Number(nameof(TrainingSettings.MinWorkers), "--min-workers", "min_workers", "min_workers", "1 to workers",
            s => s.MinWorkers, (s, v) => s with { MinWorkers = v }, spec => spec.HasMinWorkers ? spec.MinWorkers : null, (spec, v) => spec.MinWorkers = v),
        Row.OptionalNumber(nameof(TrainingSettings.MaxWorkers), "--max-workers", "max_workers", "max_workers", "workers to 256", "the requested workers (a lost worker's replacement joins)",
            s => s.MaxWorkers, (s, v) => s with { MaxWorkers = v }, spec => spec.HasMaxWorkers ? spec.MaxWorkers : null, (spec, v) => spec.MaxWorkers = v),
        Row.Number(nameof(TrainingSettings.Shards), "--shards", "shards", "shards", "1 to 256",
            s => s.Shards, (s, v) => s with { Shards = v }, spec => spec.HasShards ? spec.Shards : null, (spec, v) => spec.Shards = v),
        Row.Number(nameof(TrainingSettings.MaxClasses), "--max-classes", "max_classes", "max_classes", "at least 2",
            s => s.MaxClasses, (s, v) => s with { MaxClasses = v }, spec => spec.HasMaxClasses ? spec.MaxClasses : null, (spec, v) => spec.MaxClasses = v),
        Row.Text(nameof(TrainingSettings.Device), "--device", "device", "device", "cpu or cuda (a worker node without it fails the job, naming the node)", null,
            s => s.Device, (s, v) => s with { Device = v ?? string.Empty }, spec => spec.Device, (spec, v) => spec.Device = v),
        Row.Choice<ExchangeStaging>(nameof(TrainingSettings.ExchangeStaging), "--exchange-staging", "exchange_staging", "exchange_staging",
            s => s.ExchangeStaging, (s, v) => s with { ExchangeStaging = v }, spec => spec.ExchangeStaging, (spec, v) => spec.ExchangeStaging = v, "; never only with cpu"),
        Row.Choice<Precision>(nameof(TrainingSettings.Precision), "--precision", "precision", "precision",
            s => s.Precision, (s, v) => s with { Precision = v }, spec => spec.Precision, (spec, v) => spec.Precision = v),
        Row.Choice<Precision>(nameof(TrainingSettings.ExchangePrecision), "--exchange-precision", "exchange_precision", "exchange_precision",
            s => s.ExchangePrecision, (s, v) => s with { ExchangePrecision = v }, spec => spec.ExchangePrecision, (spec, v) => spec.ExchangePrecision = v, "; bf16 not with deterministic"),
        Row.Choice<AllReduceKind>(nameof(TrainingSettings.AllReduce), "--all-reduce", "all_reduce", "all_reduce",
            s => s.AllReduce, (s, v) => s with { AllReduce = v }, spec => spec.AllReduce, (spec, v) => spec.AllReduce = v, "; hierarchical for worker processes (cluster, submit)"),
        Row.Switch(nameof(TrainingSettings.Deterministic), "--deterministic", "deterministic", "deterministic", "a switch: the same parameter bits for any number of workers",
            s => s.Deterministic, (s, v) => s with { Deterministic = v }, spec => spec.HasDeterministic ? spec.Deterministic : null, (spec, v) => spec.Deterministic = v),
        Row.OptionalNumber(nameof(TrainingSettings.MicroBatch), "--micro-batch", "micro_batch", "micro_batch", "at least 1; with deterministic", "half the batch size, rounded up",
            s => s.MicroBatch, (s, v) => s with { MicroBatch = v }, spec => spec.HasMicroBatch ? spec.MicroBatch : null, (spec, v) => spec.MicroBatch = v),
        Row.OptionalNumber(nameof(TrainingSettings.BucketMb), "--bucket-mb", "bucket_mb", "bucket_mb", "1 to 1024; float32 only, not with deterministic", "one exchange after backward",
            s => s.BucketMb, (s, v) => s with { BucketMb = v }, spec => spec.HasBucketMb ? spec.BucketMb : null, (spec, v) => spec.BucketMb = v),
        Row.OptionalNumber(nameof(TrainingSettings.CheckpointEvery), "--checkpoint-every", "checkpoint_every", "checkpoint_every", "at least 1", "each epoch's end, and every 5 minutes of training",
            s => s.CheckpointEvery, (s, v) => s with { CheckpointEvery = v }, spec => spec.HasCheckpointEvery ? spec.CheckpointEvery : null, (spec, v) => spec.CheckpointEvery = v),
        Row.Fixed(nameof(TrainingSettings.AdamEpsilon), "--adam-epsilon", "a positive number", s => SettingText.Format(s.AdamEpsilon)),
        Row.Fixed(nameof(TrainingSettings.ChecksumEvery), "--checksum-every", "at least 1", s => SettingText.Format(s.ChecksumEvery)),
    ];

    /// <summary>The row of a flag (--momentum); null for a flag that is not a training setting.</summary>
    public static SettingRow<TrainingSettings, TrainingSpec>? ByFlag(string flag) => Rows.FirstOrDefault(r => r.Flag == flag);

    /// <summary>The row of a sweep-file key (momentum); null for a key that is not one.</summary>
    public static SettingRow<TrainingSettings, TrainingSpec>? BySweepKey(string key) => Rows.FirstOrDefault(r => r.SweepKey == key);

    /// <summary>
    /// The settings that text values give, by flag (a command line's, or a sweep file's by its rows' flags): unset
    /// settings take the model's defaults, and a value the model or optimizer would not use is refused
    /// (<see cref="SettingApplicability"/>).
    /// </summary>
    /// <exception cref="SettingsException">naming the flag of the first value that cannot be used.</exception>
    public static TrainingSettings FromText(IReadOnlyDictionary<string, string> textByFlag)
    {
        ArgumentNullException.ThrowIfNull(textByFlag);
        foreach (var flag in textByFlag.Keys)
        {
            if (ByFlag(flag) is not { OnCommandLine: true })
            {
                throw new SettingsException(flag, "is not a setting of a training job");
            }
        }

        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp);
        foreach (var row in Rows)
        {
            if (textByFlag.TryGetValue(row.Flag, out var text))
            {
                settings = row.Parse!(settings, text);
            }
        }

        return SettingApplicability.Require(settings.Validate(), textByFlag.Keys.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>The request for these settings, every carried setting written out (nothing left to the server's defaults).</summary>
    /// <exception cref="SettingsException">naming a setting that differs from its default but that the API cannot carry.</exception>
    public static TrainingSpec ToSpec(TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var defaults = TrainingSettings.DefaultsFor(settings.Model);
        var spec = new TrainingSpec();
        foreach (var row in Rows)
        {
            if (row.Write is not null)
            {
                // A setting the model or optimizer does not use (momentum with Adam) stays out of the request: the
                // coordinator refuses one that is there, as the command line does.
                if (SettingApplicability.Applies(settings, row.Flag))
                {
                    row.Write(settings, spec);
                }
            }
            else if (row.Show(settings) != row.Show(defaults))
            {
                throw new SettingsException(row.Flag, "the job API does not carry this setting; leave it at its default for a submitted job");
            }
        }

        return spec;
    }

    /// <summary>
    /// The settings a request asks for: absent fields take the model's defaults, and a present field the model or
    /// optimizer would not use is refused (<see cref="SettingApplicability"/>), not ignored.
    /// </summary>
    /// <exception cref="SettingsException">naming the flag of the first value that cannot be used (rename it with <see cref="Rename"/>).</exception>
    public static TrainingSettings FromSpec(TrainingSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var settings = Rows.Aggregate(TrainingSettings.DefaultsFor(ModelKind.Mlp), (current, row) => row.Read is null ? current : row.Read(current, spec)).Validate();
        var present = Rows.Where(row => row.IsIn?.Invoke(spec) == true).Select(row => row.Flag).ToHashSet(StringComparer.Ordinal);
        return SettingApplicability.Require(settings, present);
    }

    /// <summary>The first of <paramref name="givenFlags"/> that the job API cannot carry; null when it carries them all.</summary>
    public static string? NotCarried(IEnumerable<string> givenFlags) =>
        givenFlags.FirstOrDefault(flag => ByFlag(flag) is { ApiField: null });

    /// <summary>The same problem, naming the setting as <paramref name="vocabulary"/> does.</summary>
    public static SettingsException Rename(SettingsException error, SettingVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(error);
        return ByFlag(error.Setting) is { } row ? error.Renamed(row.NameIn(vocabulary)) : error;
    }
}
