using ClusterTrainer.Api.V1;
using Spectre.Console;

namespace ClusterTrainer.Cli.Client;

/// <summary>
/// Runs a sweep's points as jobs on the cluster: all submitted at once by default (the scheduler runs them as
/// concurrently as the workers allow), or at most <c>maxConcurrent</c> unfinished at a time, the next submitted as
/// soon as one ends. Every job is followed to its end.
/// </summary>
public static class SweepRunner
{
    /// <returns>Each point with its job as it ended, in the order of the points.</returns>
    public static async Task<IReadOnlyList<(SweepPoint Point, JobInfo Job)>> RunAsync(
        Jobs.JobsClient client,
        IReadOnlyList<SweepPoint> points,
        int? maxConcurrent,
        IAnsiConsole console,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(console);
        using var slots = new SemaphoreSlim(Math.Max(1, maxConcurrent ?? points.Count));
        var runs = new List<Task<(SweepPoint, JobInfo)>>();
        foreach (var point in points)
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            JobInfo job;
            try
            {
                job = await client.SubmitJobAsync(new SubmitJobRequest { Name = point.Name, Training = point.Spec }, deadline: ServerOptions.Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                slots.Release();
                throw;
            }

            console.WriteLine($"submitted {job.JobId}: {point.Name}");
            runs.Add(FollowAsync(point, job));
        }

        return await Task.WhenAll(runs).ConfigureAwait(false);

        async Task<(SweepPoint, JobInfo)> FollowAsync(SweepPoint point, JobInfo job)
        {
            try
            {
                return (point, await JobWatcher.WatchAsync(client, job.JobId, console, quiet: true, cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                slots.Release();
            }
        }
    }
}
