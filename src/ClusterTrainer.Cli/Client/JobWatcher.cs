using System.Globalization;
using ClusterTrainer.Api.V1;
using Grpc.Core;
using Spectre.Console;

namespace ClusterTrainer.Cli.Client;

/// <summary>Follows a job's event stream to its end, printing epochs and (throttled) progress.</summary>
public static class JobWatcher
{
    /// <param name="onEpoch">Called with each finished epoch, in order, before the next event is read.</param>
    public static async Task<JobInfo> WatchAsync(Jobs.JobsClient client, string jobId, IAnsiConsole console, bool quiet, CancellationToken cancellationToken, Func<EpochResult, Task>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(console);
        using var call = client.WatchJob(new WatchJobRequest { JobId = jobId }, cancellationToken: cancellationToken);
        var lastDecile = -1;
        await foreach (var @event in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (@event.EventCase)
            {
                case JobEvent.EventOneofCase.Progress when !quiet && @event.Progress.SamplesTotal > 0:
                    var decile = (int)(@event.Progress.SamplesDone * 10 / @event.Progress.SamplesTotal);
                    if (decile != lastDecile)
                    {
                        lastDecile = decile;
                        console.WriteLine(DescribeProgress(jobId, decile, @event.Progress));
                    }

                    break;
                case JobEvent.EventOneofCase.Epoch:
                    var e = @event.Epoch;
                    if (onEpoch is not null)
                    {
                        await onEpoch(e).ConfigureAwait(false);
                    }

                    if (quiet)
                    {
                        break;
                    }

                    console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{jobId}: epoch {e.Epoch}: train loss {e.TrainLoss:F4}, test loss {e.TestLoss:F4}, test accuracy {e.TestAccuracy:P2}, {e.SamplesPerSecond:F0} samples/s"));
                    break;
                case JobEvent.EventOneofCase.Ended:
                    return @event.Ended;
            }
        }

        // The stream ended without a final event: ask for the state rather than guess.
        return await client.GetJobAsync(new GetJobRequest { JobId = jobId }, deadline: ServerOptions.Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One progress line. A DQN job has no epochs: its progress counts environment steps, and its loss field
    /// carries the mean return of the last 100 training episodes (see the .proto).
    /// </summary>
    public static string DescribeProgress(string jobId, int decile, ClusterTrainer.Api.V1.Progress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return progress.Epochs == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{jobId}: {decile * 10}% {progress.SamplesDone}/{progress.SamplesTotal} env steps, training mean return {progress.Loss:F1}")
            : string.Create(CultureInfo.InvariantCulture, $"{jobId}: {decile * 10}% epoch {progress.Epoch}/{progress.Epochs} loss {progress.Loss:F4}");
    }

    public static void Report(IAnsiConsole console, JobInfo job)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(job);
        var line = job.State switch
        {
            JobState.Finished when job.Model.StartsWith("dqn", StringComparison.Ordinal) => string.Create(CultureInfo.InvariantCulture, $"[green]{job.JobId} finished[/]: greedy mean return {job.EvalMeanReturn:F1}, results in {Markup.Escape(job.RunDirectory)} (on the coordinator)"),
            JobState.Finished => string.Create(CultureInfo.InvariantCulture, $"[green]{job.JobId} finished[/]: test accuracy {job.TestAccuracy:P2}, results in {Markup.Escape(job.RunDirectory)} (on the coordinator)"),
            JobState.Failed => $"[red]{job.JobId} failed[/]: {Markup.Escape(job.Error)}",
            JobState.Cancelled => $"[yellow]{job.JobId} cancelled[/]",
            _ => $"{job.JobId}: {job.State}",
        };
        console.MarkupLine(line);
    }
}
