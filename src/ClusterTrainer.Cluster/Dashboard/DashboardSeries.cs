using ClusterTrainer.Api.V1;

namespace ClusterTrainer.Cluster.Dashboard;

/// <summary>
/// The history the dashboard's charts draw, per job, folded from the job API's events: the training loss against the
/// global step (a supervised job) or the training episodes' mean return against environment steps (DQN), thinned to
/// at most <see cref="MaxPoints"/> points; and every finished epoch's results.
/// </summary>
public sealed class DashboardSeries
{
    public const int MaxPoints = 500;

    private readonly Dictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public void Observe(JobEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        lock (_lock)
        {
            if (!_jobs.TryGetValue(@event.JobId, out var job))
            {
                _jobs[@event.JobId] = job = new Job();
            }

            switch (@event.EventCase)
            {
                case JobEvent.EventOneofCase.Progress:
                    var p = @event.Progress;
                    job.Dqn = p.Epochs == 0;
                    // A DQN job reports environment steps as samples; a supervised one is drawn against its global step.
                    job.Progress.Add(job.Dqn ? p.SamplesDone : ((double)(p.Epoch - 1) * p.StepsPerEpoch) + p.Step, p.Loss);
                    job.StepsPerEpoch = p.StepsPerEpoch;
                    break;
                case JobEvent.EventOneofCase.Epoch:
                    job.Epochs.Add(@event.Epoch.Clone());
                    break;
            }
        }
    }

    public JobSeries Get(string jobId)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(jobId, out var job))
            {
                return new JobSeries(jobId, "supervised", 0, [], []);
            }

            var points = job.Progress.Points().Select(p => new[] { p.X, p.Y }).ToArray();
            var epochs = job.Epochs.Select(e => new EpochPoint(e.Epoch, e.TrainLoss, e.TestLoss, e.TestAccuracy, e.SamplesPerSecond)).ToArray();
            return new JobSeries(jobId, job.Dqn ? "dqn" : "supervised", job.StepsPerEpoch, points, epochs);
        }
    }

    private sealed class Job
    {
        public ThinnedSeries Progress { get; } = new(MaxPoints);

        public List<EpochResult> Epochs { get; } = [];

        public bool Dqn { get; set; }

        public int StepsPerEpoch { get; set; }
    }
}

/// <summary>What GET /api/jobs/{id}/series returns: progress points as [x, y] pairs and the finished epochs.</summary>
public sealed record JobSeries(string JobId, string Kind, int StepsPerEpoch, double[][] Progress, EpochPoint[] Epochs);

public sealed record EpochPoint(int Epoch, double TrainLoss, double TestLoss, double TestAccuracy, double SamplesPerSecond);
