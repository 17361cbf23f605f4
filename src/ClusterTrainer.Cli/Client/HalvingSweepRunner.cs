using System.Globalization;
using ClusterTrainer.Api.V1;
using Spectre.Console;

namespace ClusterTrainer.Cli.Client;

/// <summary>One point of a halving sweep as it ended: its last job, how far it trained, and what it cost.</summary>
/// <param name="Job">The point's last job (the first one, or the last resume of it).</param>
/// <param name="Epochs">The epochs it finished: the rung where it stopped, or the full epochs.</param>
/// <param name="Accuracy">Its test accuracy at <paramref name="Epochs"/>; null when it failed before.</param>
/// <param name="SamplesDone">The samples it trained, over all its jobs.</param>
/// <param name="SamplesTotal">The samples of its full run.</param>
public sealed record HalvingResult(SweepPoint Point, JobInfo Job, int Epochs, double? Accuracy, long SamplesDone, long SamplesTotal)
{
    /// <summary>
    /// Best first: those that trained furthest, then by test accuracy at the epoch they reached (a point stopped at a rung
    /// is compared with its rung, not with the winner's last epoch); points without an accuracy last, in grid order.
    /// </summary>
    public static IReadOnlyList<HalvingResult> Rank(IEnumerable<HalvingResult> results) =>
        [.. results.Select((r, order) => (Result: r, order))
            .OrderByDescending(r => r.Result.Accuracy is not null)
            .ThenByDescending(r => r.Result.Epochs)
            .ThenByDescending(r => r.Result.Accuracy ?? 0)
            .ThenBy(r => r.order)
            .Select(r => r.Result)];
}

/// <summary>
/// Runs a sweep by <see cref="SuccessiveHalving"/>. Each rung's points run at once (the scheduler places them as the
/// workers allow); a point is paused when its epoch at the rung has been evaluated, by cancelling its job, which writes
/// a checkpoint of the exact position, and a survivor continues with ResumeJob from that checkpoint in the same run
/// directory, so no epoch is trained twice and its result is the full-grid job's.
/// </summary>
public static class HalvingSweepRunner
{
    public static async Task<IReadOnlyList<HalvingResult>> RunAsync(Jobs.JobsClient client, IReadOnlyList<SweepPoint> points, int minEpochs, IAnsiConsole console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(console);
        var runs = points.Select(p => new PointRun(p, p.Spec)).ToArray();
        var fullEpochs = runs[0].Spec.Epochs;
        IReadOnlyList<PointRun> live = runs;
        var rung = Math.Min(minEpochs, fullEpochs);
        while (true)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rung: {live.Count} {(live.Count == 1 ? "point" : "points")} to epoch {rung} of {fullEpochs}"));
            await Task.WhenAll(live.Select(run => run.TrainToAsync(client, rung, fullEpochs, console, cancellationToken))).ConfigureAwait(false);
            if (rung >= fullEpochs)
            {
                break;
            }

            var kept = SuccessiveHalving.Keep([.. live.Select(run => (run, run.AccuracyAt(rung)))]);
            foreach (var stopped in live.Except(kept))
            {
                console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"stopped {stopped.Point.Name} at epoch {rung}: {(stopped.AccuracyAt(rung) is { } a ? $"test accuracy {a:P2}" : $"it {stopped.Job?.State.ToString().ToLowerInvariant()}")}"));
            }

            live = kept;
            if (live.Count == 0)
            {
                break;
            }

            rung = SuccessiveHalving.NextRung(rung, live.Count, fullEpochs);
        }

        return [.. runs.Select(run => run.Result())];
    }

    /// <summary>One point's run through the rungs: its jobs, the test accuracy of each epoch, the samples trained.</summary>
    private sealed class PointRun(SweepPoint point, TrainingSpec spec)
    {
        private readonly Dictionary<int, double> _accuracy = [];
        private long _samplesBefore;

        public SweepPoint Point { get; } = point;

        public TrainingSpec Spec { get; } = spec;

        public JobInfo? Job { get; private set; }

        public double? AccuracyAt(int epoch) => _accuracy.TryGetValue(epoch, out var accuracy) ? accuracy : null;

        public HalvingResult Result()
        {
            var job = Job!;
            var epochs = _accuracy.Count == 0 ? 0 : _accuracy.Keys.Max();
            return new HalvingResult(Point, job, epochs, AccuracyAt(epochs), _samplesBefore, job.SamplesTotal);
        }

        /// <summary>Starts (or resumes) the point's job and follows it until it has evaluated epoch <paramref name="target"/>.</summary>
        public async Task TrainToAsync(Jobs.JobsClient client, int target, int fullEpochs, IAnsiConsole console, CancellationToken cancellationToken)
        {
            if (Job is { State: JobState.Failed or JobState.Finished })
            {
                return;
            }

            Job = Job is null
                ? await client.SubmitJobAsync(new SubmitJobRequest { Name = Point.Name, Training = Spec }, deadline: ServerOptions.Deadline, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await client.ResumeJobAsync(new ResumeJobRequest { JobId = Job.JobId }, deadline: ServerOptions.Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Job.JobId}: {Point.Name} to epoch {target}"));
            var jobId = Job.JobId;
            var pausing = false;
            Job = await JobWatcher.WatchAsync(client, jobId, console, quiet: true, cancellationToken, async epoch =>
            {
                _accuracy[epoch.Epoch] = epoch.TestAccuracy;
                if (epoch.Epoch >= target && target < fullEpochs && !pausing)
                {
                    // The cancellation drains the steps in flight and checkpoints where they end: the resume goes on from there.
                    pausing = true;
                    await client.CancelJobAsync(new CancelJobRequest { JobId = jobId }, deadline: ServerOptions.Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);

            // A resumed job counts from the start of the run: its samples done are the point's so far.
            _samplesBefore = Math.Max(_samplesBefore, Job.SamplesDone);
        }
    }
}
