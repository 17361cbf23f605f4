using ClusterTrainer.Api.V1;
using ClusterTrainer.Core;
using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Api.Settings;

/// <summary>
/// The one table of a DQN job's settings: for each, the `dqn` command's flag, its field in the job API's DqnSpec
/// (null where the API does not carry it: `submit --dqn-env` has no flag for it, so nothing given is dropped),
/// what it accepts and how it is read and written. `dqn`, `submit --dqn-env` and the API's DqnSpec all go through
/// it; a test fails for a DqnSettings property without a row. DQN jobs have no sweep keys.
/// </summary>
public static class DqnSettingsSchema
{
    private static readonly SettingRows<DqnSettings, DqnSpec> Row = new("dqn");

    /// <summary>The rows, applied in this order. The environment comes first: choosing it resets every other setting to its defaults.</summary>
    public static IReadOnlyList<SettingRow<DqnSettings, DqnSpec>> Rows { get; } =
    [
        Row.Text(nameof(DqnSettings.Environment), "--env", "env", null, "cartpole | acrobot | mountaincar", null,
            s => s.Environment, (_, v) => Defaults(v ?? string.Empty), spec => spec.Env, (spec, v) => spec.Env = v),
        Row.Number(nameof(DqnSettings.Collectors), "--collectors", "collectors", null, "at least 1",
            s => s.Collectors, (s, v) => s with { Collectors = v }, spec => spec.HasCollectors ? spec.Collectors : null, (spec, v) => spec.Collectors = v),
        Row.Number(nameof(DqnSettings.EnvsPerCollector), "--envs-per-collector", null, null, "at least 1",
            s => s.EnvsPerCollector, (s, v) => s with { EnvsPerCollector = v }),
        Row.Number(nameof(DqnSettings.Steps), "--steps", "steps", null, "at least one per environment copy (collectors x envs per collector), more than learning starts",
            s => s.Steps, (s, v) => s with { Steps = v }, spec => spec.HasSteps ? spec.Steps : null, (spec, v) => spec.Steps = v),
        Row.Number(nameof(DqnSettings.Seed), "--seed", "seed", null, "any whole number (0 included)",
            s => s.Seed, (s, v) => s with { Seed = v }, spec => spec.HasSeed ? spec.Seed : null, (spec, v) => spec.Seed = v),
        Row.Number(nameof(DqnSettings.ReplayRatio), "--replay-ratio", "replay_ratio", null, "0, or a finite number that gives an update per max lag",
            s => s.ReplayRatio, (s, v) => s with { ReplayRatio = v }, spec => spec.HasReplayRatio ? spec.ReplayRatio : null, (spec, v) => spec.ReplayRatio = v),
        Row.Number(nameof(DqnSettings.LearningRate), "--lr", null, null, "a positive number",
            s => s.LearningRate, (s, v) => s with { LearningRate = v }),
        Row.Number(nameof(DqnSettings.TargetUpdateInterval), "--target-update", null, null, "at least 1",
            s => s.TargetUpdateInterval, (s, v) => s with { TargetUpdateInterval = v }),
        Row.Switch(nameof(DqnSettings.Prioritized), "--prioritized", null, null, "a switch",
            s => s.Prioritized, (s, v) => s with { Prioritized = v }),
        Row.Number(nameof(DqnSettings.EvalInterval), "--eval-interval", null, null, "at least 1",
            s => s.EvalInterval, (s, v) => s with { EvalInterval = v }),
        Row.Fixed(nameof(DqnSettings.Hidden), "--hidden", "sizes, each at least 1", s => string.Join(",", s.Hidden.Select(SettingText.Format))),
        Row.Fixed(nameof(DqnSettings.BatchSize), "--batch-size", "at least 1", s => SettingText.Format(s.BatchSize)),
        Row.Fixed(nameof(DqnSettings.BufferSize), "--buffer-size", "at least one batch", s => SettingText.Format(s.BufferSize)),
        Row.Fixed(nameof(DqnSettings.LearningStarts), "--learning-starts", "at least 0, less than steps", s => SettingText.Format(s.LearningStarts)),
        Row.Fixed(nameof(DqnSettings.Gamma), "--gamma", "in [0, 1]", s => SettingText.Format(s.Gamma)),
        Row.Fixed(nameof(DqnSettings.MaxGradNorm), "--max-grad-norm", "greater than 0", s => SettingText.Format(s.MaxGradNorm)),
        Row.Fixed(nameof(DqnSettings.PublishInterval), "--publish-interval", "at least 1", s => SettingText.Format(s.PublishInterval)),
        Row.Fixed(nameof(DqnSettings.ChunkSteps), "--chunk-steps", "at least 1", s => SettingText.Format(s.ChunkSteps)),
        Row.Fixed(nameof(DqnSettings.MaxLag), "--max-lag", "at least one chunk; times the replay ratio at least 1", s => SettingText.Format(s.MaxLag)),
        Row.Fixed(nameof(DqnSettings.ExplorationFraction), "--exploration-fraction", "in [0, 1]", s => SettingText.Format(s.ExplorationFraction)),
        Row.Fixed(nameof(DqnSettings.FinalEpsilon), "--final-epsilon", "in [0, 1]", s => SettingText.Format(s.FinalEpsilon)),
        Row.Fixed(nameof(DqnSettings.EpsilonAlpha), "--epsilon-alpha", "at least 0", s => s.EpsilonAlpha is { } alpha ? SettingText.Format(alpha) : null, "picked from the number of collectors"),
        Row.Fixed(nameof(DqnSettings.PriorityAlpha), "--priority-alpha", "at least 0", s => SettingText.Format(s.PriorityAlpha)),
        Row.Fixed(nameof(DqnSettings.PriorityBeta), "--priority-beta", "in [0, 1]", s => SettingText.Format(s.PriorityBeta)),
        Row.Fixed(nameof(DqnSettings.EvalEpisodes), "--eval-episodes", "at least 1", s => SettingText.Format(s.EvalEpisodes)),
        Row.Fixed(nameof(DqnSettings.FinalEvalEpisodes), "--final-eval-episodes", "at least 1", s => SettingText.Format(s.FinalEvalEpisodes)),
    ];

    /// <summary>The row of a flag (--collectors); null for a flag that is not a DQN setting.</summary>
    public static SettingRow<DqnSettings, DqnSpec>? ByFlag(string flag) => Rows.FirstOrDefault(r => r.Flag == flag);

    /// <summary>The settings that text values give, by flag; unset settings take the environment's defaults.</summary>
    /// <exception cref="SettingsException">naming the flag of the first value that cannot be used.</exception>
    public static DqnSettings FromText(IReadOnlyDictionary<string, string> textByFlag)
    {
        ArgumentNullException.ThrowIfNull(textByFlag);
        foreach (var flag in textByFlag.Keys)
        {
            if (ByFlag(flag) is not { OnCommandLine: true })
            {
                throw new SettingsException(flag, "is not a setting of a DQN job");
            }
        }

        var settings = Defaults("cartpole");
        foreach (var row in Rows)
        {
            if (textByFlag.TryGetValue(row.Flag, out var text))
            {
                settings = row.Parse!(settings, text);
            }
        }

        return Validated(settings);
    }

    /// <summary>The request for these settings, every carried setting written out.</summary>
    /// <exception cref="SettingsException">naming a setting that differs from its default but that the API cannot carry.</exception>
    public static DqnSpec ToSpec(DqnSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var defaults = Defaults(settings.Environment);
        var spec = new DqnSpec();
        foreach (var row in Rows)
        {
            if (row.Write is not null)
            {
                row.Write(settings, spec);
            }
            else if (row.Show(settings) != row.Show(defaults))
            {
                throw new SettingsException(row.Flag, "the job API does not carry this DQN setting; leave it at its default for a submitted job (the dqn command takes it)");
            }
        }

        return spec;
    }

    /// <summary>The settings a request asks for: absent fields take the environment's defaults.</summary>
    /// <exception cref="SettingsException">naming the flag of the first value that cannot be used (rename it with <see cref="Rename"/>).</exception>
    public static DqnSettings FromSpec(DqnSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Validated(Rows.Aggregate(Defaults("cartpole"), (settings, row) => row.Read is null ? settings : row.Read(settings, spec)));
    }

    /// <summary>The same problem, naming the setting as <paramref name="vocabulary"/> does.</summary>
    public static SettingsException Rename(SettingsException error, SettingVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(error);
        return ByFlag(error.Setting) is { } row ? error.Renamed(row.NameIn(vocabulary)) : error;
    }

    private static DqnSettings Defaults(string environment)
    {
        try
        {
            return DqnSettings.DefaultsFor(environment);
        }
        catch (ArgumentException error)
        {
            throw new SettingsException("--env", Problem(error));
        }
    }

    /// <summary>DqnSettings.Validate, its ArgumentException (ParamName: the flag without dashes) as a SettingsException naming the flag.</summary>
    private static DqnSettings Validated(DqnSettings settings)
    {
        try
        {
            return settings.Validate();
        }
        catch (ArgumentException error)
        {
            throw new SettingsException($"--{error.ParamName}", Problem(error));
        }
    }

    /// <summary>"--steps must be ... (Parameter 'steps')" without the flag in front and the parameter behind.</summary>
    private static string Problem(ArgumentException error)
    {
        var message = error.Message.Split(" (Parameter", 2)[0];
        var flag = $"--{error.ParamName} ";
        return message.StartsWith(flag, StringComparison.Ordinal) ? message[flag.Length..] : message;
    }
}
