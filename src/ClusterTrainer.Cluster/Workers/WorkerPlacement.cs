using ClusterTrainer.Core;

namespace ClusterTrainer.Cluster.Workers;

/// <summary>
/// Where a worker runs: the node its messages name, the cores of that node (Environment.ProcessorCount, which
/// follows a container's CPU limit and DOTNET_PROCESSOR_COUNT) and how many workers share them. A job's threads
/// are decided here, on the node that trains, not by the coordinator, whose machine may be another size.
/// </summary>
public sealed record WorkerPlacement(string Node, int Cores, int WorkersOnNode)
{
    /// <summary>One worker per node, on all of this process's cores.</summary>
    public static WorkerPlacement ThisNode(string node) => new(node, Environment.ProcessorCount, 1);

    /// <summary>A job's workers all in this process: they share its cores.</summary>
    public static WorkerPlacement InProcess(int workers) => new(Environment.MachineName, Environment.ProcessorCount, workers);

    /// <summary>The job's explicit threads, else this node's cores divided among its workers (at least 1).</summary>
    public int ThreadsFor(TrainingSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.ThreadsPerWorker(Cores, WorkersOnNode);
    }
}
