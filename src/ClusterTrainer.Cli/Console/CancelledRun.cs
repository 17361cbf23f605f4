using ClusterTrainer.Core.Outputs;
using Spectre.Console;

namespace ClusterTrainer.Cli.Console;

/// <summary>What a person is told when their Ctrl-C (or SIGTERM) cancelled a run: what was kept, and the exit code 130.</summary>
public static class CancelledRun
{
    public static int Report(IAnsiConsole console, RunDirectory run)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(run);
        var epochs = run.FinishedEpochs();
        console.MarkupLineInterpolated(
            $"[yellow]clustertrainer: cancelled[/]: {run.Path} keeps the results of {epochs} finished epoch{(epochs == 1 ? string.Empty : "s")} (metrics.csv, plots, settings.json, log.json); no model.bin was written");
        return CliApp.Cancelled;
    }
}
