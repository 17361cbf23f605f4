using System.Globalization;
using System.Numerics;
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
    /// <summary>
    /// The rows, applied in this order. The model comes first because choosing it resets every other setting to
    /// that model's defaults (<see cref="TrainingSettings.DefaultsFor"/>).
    /// </summary>
    public static IReadOnlyList<TrainingSettingRow> Rows { get; } =
    [
        Choice<ModelKind>(nameof(TrainingSettings.Model), "--model", "model", "model", s => s.Model, (_, v) => TrainingSettings.DefaultsFor(v), spec => spec.Model, (spec, v) => spec.Model = v),
        Text(nameof(TrainingSettings.Data), "--data", "data", "data", "an IDX directory, a CSV file, or sample (on the coordinator's node for submitted jobs)", "the default search (see Data)",
            s => s.Data, (s, v) => s with { Data = string.IsNullOrWhiteSpace(v) ? null : v }, spec => spec.Data, (spec, v) => spec.Data = v),
        Number(nameof(TrainingSettings.Epochs), "--epochs", "epochs", "epochs", "at least 1",
            s => s.Epochs, (s, v) => s with { Epochs = v }, spec => spec.HasEpochs ? spec.Epochs : null, (spec, v) => spec.Epochs = v),
        Number(nameof(TrainingSettings.BatchSize), "--batch-size", "batch_size", "batch_size", "at least 1",
            s => s.BatchSize, (s, v) => s with { BatchSize = v }, spec => spec.HasBatchSize ? spec.BatchSize : null, (spec, v) => spec.BatchSize = v),
        Number(nameof(TrainingSettings.LearningRate), "--lr", "learning_rate", "learning_rate", "a positive number",
            s => s.LearningRate, (s, v) => s with { LearningRate = v }, spec => spec.HasLearningRate ? spec.LearningRate : null, (spec, v) => spec.LearningRate = v),
        Choice<OptimizerKind>(nameof(TrainingSettings.Optimizer), "--optimizer", "optimizer", "optimizer",
            s => s.Optimizer, (s, v) => s with { Optimizer = v }, spec => spec.Optimizer, (spec, v) => spec.Optimizer = v),
        Choice<ScheduleKind>(nameof(TrainingSettings.Schedule), "--lr-schedule", "lr_schedule", "lr_schedule",
            s => s.Schedule, (s, v) => s with { Schedule = v }, spec => spec.LrSchedule, (spec, v) => spec.LrSchedule = v),
        Number(nameof(TrainingSettings.Momentum), "--momentum", "momentum", "momentum", "0 <= M < 1 (0 = plain SGD); sgd only",
            s => s.Momentum, (s, v) => s with { Momentum = v }, spec => spec.HasMomentum ? spec.Momentum : null, (spec, v) => spec.Momentum = v),
        Sizes(nameof(TrainingSettings.Hidden), "--hidden", "hidden", "hidden", "sizes, each at least 1; one size for cnn and rnn",
            s => s.Hidden, (s, v) => s with { Hidden = v }, spec => spec.Hidden, (spec, v) => spec.Hidden.AddRange(v)),
        Choice<Activation>(nameof(TrainingSettings.Activation), "--activation", "activation", "activation",
            s => s.Activation, (s, v) => s with { Activation = v }, spec => spec.Activation, (spec, v) => spec.Activation = v, "; mlp and tabular only"),
        Number(nameof(TrainingSettings.Seed), "--seed", "seed", "seed", "any whole number (0 included)",
            s => s.Seed, (s, v) => s with { Seed = v }, spec => spec.HasSeed ? spec.Seed : null, (spec, v) => spec.Seed = v),
        OptionalNumber(nameof(TrainingSettings.Limit), "--limit", "limit", "limit", "at least 1", "all training samples",
            s => s.Limit, (s, v) => s with { Limit = v }, spec => spec.HasLimit ? spec.Limit : null, (spec, v) => spec.Limit = v),
        OptionalNumber(nameof(TrainingSettings.Threads), "--threads", "threads", "threads", "at least 1", "each worker's node decides: its cores / the workers sharing them",
            s => s.Threads, (s, v) => s with { Threads = v }, spec => spec.HasThreads ? spec.Threads : null, (spec, v) => spec.Threads = v),
        Number(nameof(TrainingSettings.Workers), "--workers", "workers", "workers", "1 to 256",
            s => s.Workers, (s, v) => s with { Workers = v }, spec => spec.HasWorkers ? spec.Workers : null, (spec, v) => spec.Workers = v),
        Number(nameof(TrainingSettings.Shards), "--shards", "shards", "shards", "1 to 256",
            s => s.Shards, (s, v) => s with { Shards = v }, spec => spec.HasShards ? spec.Shards : null, (spec, v) => spec.Shards = v),
        Number(nameof(TrainingSettings.MaxClasses), "--max-classes", "max_classes", "max_classes", "at least 2",
            s => s.MaxClasses, (s, v) => s with { MaxClasses = v }, spec => spec.HasMaxClasses ? spec.MaxClasses : null, (spec, v) => spec.MaxClasses = v),
        Text(nameof(TrainingSettings.Device), "--device", "device", "device", "cpu or cuda (a worker node without it fails the job, naming the node)", null,
            s => s.Device, (s, v) => s with { Device = v ?? string.Empty }, spec => spec.Device, (spec, v) => spec.Device = v),
        Choice<ExchangeStaging>(nameof(TrainingSettings.ExchangeStaging), "--exchange-staging", "exchange_staging", "exchange_staging",
            s => s.ExchangeStaging, (s, v) => s with { ExchangeStaging = v }, spec => spec.ExchangeStaging, (spec, v) => spec.ExchangeStaging = v, "; never only with cpu"),
        Fixed(nameof(TrainingSettings.AdamEpsilon), "--adam-epsilon", "a positive number", s => Format(s.AdamEpsilon)),
        Fixed(nameof(TrainingSettings.ChecksumEvery), "--checksum-every", "at least 1", s => Format(s.ChecksumEvery)),
    ];

    /// <summary>The row of a flag (--momentum); null for a flag that is not a training setting.</summary>
    public static TrainingSettingRow? ByFlag(string flag) => Rows.FirstOrDefault(r => r.Flag == flag);

    /// <summary>The row of a sweep-file key (momentum); null for a key that is not one.</summary>
    public static TrainingSettingRow? BySweepKey(string key) => Rows.FirstOrDefault(r => r.SweepKey == key);

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
                row.Write(settings, spec);
            }
            else if (row.Show(settings) != row.Show(defaults))
            {
                throw new SettingsException(row.Flag, "the job API does not carry this setting; leave it at its default for a submitted job");
            }
        }

        return spec;
    }

    /// <summary>The settings a request asks for: absent fields take the model's defaults.</summary>
    /// <exception cref="SettingsException">naming the flag of the first value that cannot be used (rename it with <see cref="Rename"/>).</exception>
    public static TrainingSettings FromSpec(TrainingSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Rows.Aggregate(TrainingSettings.DefaultsFor(ModelKind.Mlp), (settings, row) => row.Read is null ? settings : row.Read(settings, spec)).Validate();
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

    private static string Format<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    private static TrainingSettingRow Number<T>(string property, string flag, string field, string key, string rule,
        Func<TrainingSettings, T> get, Func<TrainingSettings, T, TrainingSettings> set, Func<TrainingSpec, T?> read, Action<TrainingSpec, T> write)
        where T : struct, INumber<T> => new()
        {
            Property = property,
            Flag = flag,
            OnCommandLine = true,
            ApiField = field,
            SweepKey = key,
            Rule = rule,
            Show = s => Format(get(s)),
            Parse = (s, text) => set(s, ParseNumber<T>(text, flag)),
            Write = (s, spec) => write(spec, get(s)),
            Read = (s, spec) => read(spec) is { } value ? set(s, value) : s,
        };

    private static TrainingSettingRow OptionalNumber(string property, string flag, string field, string key, string rule, string unset,
        Func<TrainingSettings, int?> get, Func<TrainingSettings, int?, TrainingSettings> set, Func<TrainingSpec, int?> read, Action<TrainingSpec, int> write) => new()
        {
            Property = property,
            Flag = flag,
            OnCommandLine = true,
            ApiField = field,
            SweepKey = key,
            Rule = rule,
            Unset = unset,
            Show = s => get(s) is { } value ? Format(value) : null,
            Parse = (s, text) => set(s, ParseNumber<int>(text, flag)),
            Write = (s, spec) =>
            {
                if (get(s) is { } value)
                {
                    write(spec, value);
                }
            },
            Read = (s, spec) => read(spec) is { } value ? set(s, value) : s,
        };

    private static TrainingSettingRow Choice<T>(string property, string flag, string field, string key,
        Func<TrainingSettings, T> get, Func<TrainingSettings, T, TrainingSettings> set, Func<TrainingSpec, string> read, Action<TrainingSpec, string> write, string ruleNote = "")
        where T : struct, Enum => new()
        {
            Property = property,
            Flag = flag,
            OnCommandLine = true,
            ApiField = field,
            SweepKey = key,
            Rule = string.Join(" | ", Names<T>()) + ruleNote,
            Show = s => get(s).ToString().ToLowerInvariant(),
            Parse = (s, text) => set(s, ParseChoice<T>(text, flag)),
            Write = (s, spec) => write(spec, get(s).ToString().ToLowerInvariant()),
            Read = (s, spec) => read(spec) is { Length: > 0 } text ? set(s, ParseChoice<T>(text, flag)) : s,
        };

    private static TrainingSettingRow Text(string property, string flag, string field, string key, string rule, string? unset,
        Func<TrainingSettings, string?> get, Func<TrainingSettings, string?, TrainingSettings> set, Func<TrainingSpec, string> read, Action<TrainingSpec, string> write) => new()
        {
            Property = property,
            Flag = flag,
            OnCommandLine = true,
            ApiField = field,
            SweepKey = key,
            Rule = rule,
            Unset = unset,
            Show = get,
            Parse = set,
            Write = (s, spec) =>
            {
                if (get(s) is { } value)
                {
                    write(spec, value);
                }
            },
            Read = (s, spec) => read(spec) is { Length: > 0 } text ? set(s, text) : s,
        };

    private static TrainingSettingRow Sizes(string property, string flag, string field, string key, string rule,
        Func<TrainingSettings, int[]> get, Func<TrainingSettings, int[], TrainingSettings> set, Func<TrainingSpec, IReadOnlyCollection<int>> read, Action<TrainingSpec, int[]> write) => new()
        {
            Property = property,
            Flag = flag,
            OnCommandLine = true,
            ApiField = field,
            SweepKey = key,
            Rule = rule,
            Show = s => string.Join(",", get(s).Select(Format)),
            Parse = (s, text) => set(s, ParseSizes(text, flag)),
            Write = (s, spec) => write(spec, get(s)),
            Read = (s, spec) => read(spec) is { Count: > 0 } sizes ? set(s, [.. sizes]) : s,
        };

    /// <summary>A setting the program fixes: no flag a person can give, not carried, not swept (tests set it in code).</summary>
    private static TrainingSettingRow Fixed(string property, string flag, string rule, Func<TrainingSettings, string> show) => new()
    {
        Property = property,
        Flag = flag,
        OnCommandLine = false,
        Rule = rule,
        Show = show,
    };

    private static IEnumerable<string> Names<T>()
        where T : struct, Enum => Enum.GetNames<T>().Select(n => n.ToLowerInvariant());

    private static T ParseNumber<T>(string text, string flag)
        where T : struct, INumber<T>
    {
        var whole = typeof(T) == typeof(int);
        return T.TryParse(text, whole ? NumberStyles.AllowLeadingSign : NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new SettingsException(flag, whole ? $"'{text}' is not a whole number" : $"'{text}' is not a number (example: 0.001 or 1e-3)");
    }

    private static T ParseChoice<T>(string text, string flag)
        where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(text, out _)
            ? parsed
            : throw new SettingsException(flag, $"'{text}' is not one of {string.Join(", ", Names<T>())}");

    private static int[] ParseSizes(string text, string flag)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sizes = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
            {
                throw new SettingsException(flag, $"'{parts[i]}' is not a positive layer size (example: {flag} 256,256)");
            }
        }

        return sizes;
    }
}
