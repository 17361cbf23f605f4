namespace ClusterTrainer.Core.Outputs;

/// <summary>
/// Makes a run directory ready for a new run without losing an earlier one: a run never writes into a
/// directory that already holds files unless asked to replace them (--force). (Continuing a run in place,
/// --resume, comes with checkpoints.)
/// </summary>
public static class OutputDirectory
{
    /// <summary>The files runs write (supervised, DQN, and the worker logs of `cluster`); --force removes these and nothing else.</summary>
    private static readonly string[] RunFilePatterns =
    [
        RunDirectory.SummaryFile, RunDirectory.MetricsFile, RunDirectory.SettingsFile, RunDirectory.ModelFile,
        RunDirectory.LossPlotFile, RunDirectory.AccuracyPlotFile, RunDirectory.LogFile, "returns.png", "worker-*",
    ];

    /// <exception cref="SettingsException">naming <paramref name="flag"/> when the path is a file, or a directory with files and no <paramref name="force"/>.</exception>
    public static void Prepare(string path, bool force, string flag = "--out")
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path))
        {
            throw new SettingsException(flag, $"'{path}' is a file; give a directory for the run's outputs (it is created if missing)");
        }

        if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
        {
            if (!force)
            {
                var entries = Directory.EnumerateFileSystemEntries(path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
                var listed = string.Join(", ", entries.Take(4)) + (entries.Length > 4 ? ", ..." : string.Empty);
                throw new SettingsException(flag,
                    $"'{path}' is not empty ({listed}): an earlier run's results would be overwritten. " +
                    "Choose a new directory, or add --force to replace the results of the earlier run");
            }

            foreach (var pattern in RunFilePatterns)
            {
                foreach (var file in Directory.EnumerateFiles(path, pattern))
                {
                    File.Delete(file);
                }
            }
        }

        Directory.CreateDirectory(path);
    }
}
