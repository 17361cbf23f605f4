using System.Diagnostics;
using ClusterTrainer.Cluster.Coordination;
using Spectre.Console;

namespace ClusterTrainer.Cli.Console;

/// <summary>
/// Shows a job's progress: a live bar with loss and samples/s on a terminal, plain lines when the
/// output is redirected (CI logs, files), so both stay readable.
/// </summary>
public sealed class TrainingProgress(IAnsiConsole console)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _lastPrintedDecile = -1;

    public bool Interactive { get; } = console.Profile.Capabilities.Interactive && !System.Console.IsOutputRedirected;

    public async Task<T> RunAsync<T>(string title, Func<Action<object>, Task<T>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!Interactive)
        {
            return await run(PrintLine).ConfigureAwait(false);
        }

        T result = default!;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: 1);
                result = await run(update => Update(task, update)).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return result;
    }

    private void Update(ProgressTask task, object update)
    {
        switch (update)
        {
            case JobProgressed p:
                task.MaxValue = Math.Max(1, p.SamplesTotal);
                task.Value = p.SamplesDone;
                task.Description = $"epoch {p.Epoch}/{p.Epochs} loss {p.LastLoss:F4} {Rate(p.SamplesDone):F0} samples/s";
                break;
            case EpochFinished e:
                console.MarkupLineInterpolated($"epoch {e.Metrics.Epoch}: train loss {e.Metrics.TrainLoss:F4}, test loss {e.Metrics.TestLoss:F4}, test accuracy {e.Metrics.TestAccuracy:P2}, {e.Metrics.SamplesPerSecond:F0} samples/s");
                break;
        }
    }

    private void PrintLine(object update)
    {
        if (update is JobProgressed p && p.SamplesTotal > 0)
        {
            var decile = (int)(p.SamplesDone * 10 / p.SamplesTotal);
            if (decile != _lastPrintedDecile)
            {
                _lastPrintedDecile = decile;
                console.WriteLine($"progress {decile * 10}%: epoch {p.Epoch}/{p.Epochs}, step {p.Step}/{p.StepsPerEpoch}, loss {p.LastLoss:F4}, {Rate(p.SamplesDone):F0} samples/s");
            }
        }
    }

    private double Rate(long samples) => samples / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);
}
