using Akka.Actor;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cluster.Coordination;

/// <summary>
/// Queue a training job on the cluster. The coordinator node loads the data named by the settings, so the
/// request is small and can come from anywhere; events (progress, result) go to the sender. With
/// <paramref name="Resume"/> the job continues from the newest checkpoint in its output directory (which the
/// coordinator node reads), and fails naming the checkpoint's problem when there is no usable one.
/// </summary>
public sealed record SubmitTrainingJob(string JobId, TrainingSettings Settings, string OutputDirectory, bool Resume = false);

/// <summary>
/// Queue a job that runs its own actors (a DQN job) and needs <paramref name="Workers"/> worker nodes to itself. The
/// sender gets <see cref="WorkersReserved"/> when they are free (or <see cref="JobFailed"/> / <see cref="JobCancelled"/>
/// while it waits), reports progress with <see cref="JobProgressed"/>, and gives the nodes back with <see cref="ReleaseWorkers"/>.
/// </summary>
public sealed record ReserveWorkers(string JobId, int Workers);

/// <summary>The worker nodes (addresses) a <see cref="ReserveWorkers"/> job now holds until it releases them.</summary>
public sealed record WorkersReserved(string JobId, IReadOnlyList<string> Nodes);

/// <summary>A job that reserved workers has ended: its nodes are free for the next job.</summary>
public sealed record ReleaseWorkers(string JobId);

/// <summary>The job is queued; it starts when enough workers are free.</summary>
public sealed record JobAccepted(string JobId, int Position);

public sealed class GetClusterWorkers
{
    public static readonly GetClusterWorkers Instance = new();

    private GetClusterWorkers()
    {
    }
}

/// <summary>
/// The registered worker nodes and the job each runs (<paramref name="NodeJobs"/>, same order; empty when idle), the
/// running jobs, and the queue in order (first = next to start).
/// </summary>
public sealed record ClusterWorkers(IReadOnlyList<string> Nodes, IReadOnlyList<string> NodeJobs, IReadOnlyList<string> RunningJobs, IReadOnlyList<string> Queue)
{
    public IReadOnlyList<string> BusyNodes => Nodes.Where((_, i) => NodeJobs[i].Length > 0).ToArray();

    /// <summary>1 for the next job to start; 0 for a job that is not queued.</summary>
    public int QueuePosition(string jobId)
    {
        for (var i = 0; i < Queue.Count; i++)
        {
            if (Queue[i] == jobId)
            {
                return i + 1;
            }
        }

        return 0;
    }
}

/// <summary>A worker node registered while the job runs below its --max-workers: it joins at the next step boundary.</summary>
public sealed record WorkerJoined(IActorRef Worker, string Node);

/// <summary>A worker of a running job left the cluster or became unreachable.</summary>
public sealed record WorkerLost(int Rank, string Node, string Reason);
