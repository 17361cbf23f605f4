using ClusterTrainer.Core;

namespace ClusterTrainer.Cluster.Coordination;

/// <summary>
/// Queue a training job on the cluster. The coordinator node loads the data named by the settings, so the
/// request is small and can come from anywhere; events (progress, result) go to the sender.
/// </summary>
public sealed record SubmitTrainingJob(string JobId, TrainingSettings Settings, string OutputDirectory);

/// <summary>The job is queued; it starts when enough workers are free.</summary>
public sealed record JobAccepted(string JobId, int Position);

public sealed class GetClusterWorkers
{
    public static readonly GetClusterWorkers Instance = new();

    private GetClusterWorkers()
    {
    }
}

public sealed record ClusterWorkers(IReadOnlyList<string> Nodes, IReadOnlyList<string> BusyNodes, string? RunningJob, int QueuedJobs);

/// <summary>A worker of a running job left the cluster or became unreachable.</summary>
public sealed record WorkerLost(int Rank, string Node, string Reason);
