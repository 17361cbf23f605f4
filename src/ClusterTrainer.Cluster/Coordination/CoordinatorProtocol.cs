using ClusterTrainer.Core;
using ClusterTrainer.Core.Checkpoints;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Data;

namespace ClusterTrainer.Cluster.Coordination;

/// <summary>A supervised training job: what to train, on which data, and where its results go.</summary>
public sealed record TrainingJob(string JobId, TrainingSettings Settings, DataSplit Data, string OutputDirectory)
{
    /// <summary>The checkpoint to continue from (its run directory is <see cref="OutputDirectory"/>); null starts afresh.</summary>
    public Checkpoint? Resume { get; init; }

    /// <summary>
    /// Set when the job manager starts the job again after a worker was lost where the survivors could not regroup in
    /// place: summary.json records it as the membership change at the step the job continues from.
    /// </summary>
    public MembershipChange? RestartedAfter { get; init; }
}

/// <summary>
/// A worker was lost while the job started, restored, wrote a checkpoint or saved its model, where the survivors cannot
/// regroup in place: the coordinator has ended, and the job manager starts the job again on the surviving worker nodes
/// from its newest checkpoint (from the beginning when it has none).
/// </summary>
public sealed record JobInterrupted(string JobId, string Node, string Reason, string State);

/// <summary>How long the coordinator waits for any sign of progress before it fails the job.</summary>
public sealed record CoordinatorTimeouts(TimeSpan Progress, TimeSpan WatchdogInterval)
{
    /// <summary>
    /// After a worker reports a failed step, how long to wait for news that a worker node was lost before failing the
    /// job with that report. When a worker dies, its ring neighbours' all-reduce fails at once and each breaks its own
    /// links, so the first report often comes from a survivor and names another survivor; the cluster's failure
    /// detector names the dead node a few seconds later. Zero fails at once (one process, where no node can be lost).
    /// </summary>
    public TimeSpan LostWorkerWait { get; init; }

    /// <summary>
    /// How long a cancelled job waits for its steps in flight and its checkpoint before it ends without one: less than
    /// the 10 s a caller waits for the cancellation's confirmation.
    /// </summary>
    public TimeSpan CancelDrain { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a job below its --min-workers waits for replacements to join before it fails.</summary>
    public TimeSpan ReplacementWait { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Covers the failure detector (heartbeat pause 4 s) and the job manager's report, with room to spare.</summary>
    public static readonly CoordinatorTimeouts Default = new(TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(1)) { LostWorkerWait = TimeSpan.FromSeconds(12) };
}

public sealed record JobProgressed(string JobId, int Epoch, int Epochs, int Step, int StepsPerEpoch, long SamplesDone, long SamplesTotal, double LastLoss);

public sealed record EpochFinished(string JobId, EpochMetrics Metrics);

public sealed record JobFinished(string JobId, RunSummary Summary);

public sealed record JobFailed(string JobId, string Reason);

public sealed record JobCancelled(string JobId);

public sealed record CancelJob(string JobId);

public sealed class GetJobStatus
{
    public static readonly GetJobStatus Instance = new();

    private GetJobStatus()
    {
    }
}

public sealed record JobStatus(string JobId, string State, int Epoch, int Step, int StepsPerEpoch);
