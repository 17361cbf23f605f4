using ClusterTrainer.Api.Settings;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Checkpoints;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Cli.Commands;

/// <summary>
/// `--resume RUN_DIR`: the run's own settings (settings.json), changed only in what does not change the computed
/// numbers, and its newest checkpoint that reads and matches them. Anything else given is refused by name, so a
/// resumed run is never silently a different run.
/// </summary>
public static class RunResume
{
    /// <summary>The flags a resumed run may change: how it is spread, not what it computes.</summary>
    public static readonly IReadOnlySet<string> ChangeableFlags = new HashSet<string>(StringComparer.Ordinal)
    {
        "--workers", "--min-workers", "--max-workers", "--threads", "--shards", "--checkpoint-every",
    };

    /// <exception cref="SettingsException">naming a flag that cannot be combined with --resume.</exception>
    /// <exception cref="CheckpointException">when the run has no usable checkpoint.</exception>
    public static (RunDirectory Run, TrainingSettings Settings, Checkpoint Checkpoint) Load(RunOutputOptions options, string? output, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(warn);
        var directory = options.Resume ?? throw new InvalidOperationException("no --resume given");
        if (options.Force)
        {
            throw new SettingsException("--force", "does not apply with --resume: a resumed run continues in its own directory and keeps what is there");
        }

        var given = options.GivenFlags();
        foreach (var flag in given.Where(f => f is not "--resume" and not "--out" && !ChangeableFlags.Contains(f)).Order(StringComparer.Ordinal))
        {
            throw new SettingsException(flag, $"cannot be changed when resuming: the run's settings come from {Path.Combine(directory, RunDirectory.SettingsFile)}; leave {flag} out (only {string.Join(", ", ChangeableFlags.Order(StringComparer.Ordinal))} may be given)");
        }

        if (!Directory.Exists(directory))
        {
            throw new SettingsException("--resume", $"'{directory}' does not exist: give the run directory of the run to continue (for example runs/20261202-150000-mlp)");
        }

        var run = new RunDirectory(directory);
        if (output is not null && Path.GetFullPath(output) != run.Path)
        {
            throw new SettingsException("--out", $"a resumed run continues in its own directory {run.Path}; leave --out out");
        }

        var settings = run.ReadSettings();
        var texts = options.SettingTexts();
        foreach (var row in TrainingSettingsSchema.Rows.Where(r => ChangeableFlags.Contains(r.Flag) && texts.ContainsKey(r.Flag)))
        {
            settings = row.Parse!(settings, texts[row.Flag]);
        }

        settings = settings.Validate();
        var checkpoint = new CheckpointStore(run.Path).LoadLatest(settings, skipped => warn($"skipping {skipped.Message}"));
        return (run, settings, checkpoint);
    }
}
