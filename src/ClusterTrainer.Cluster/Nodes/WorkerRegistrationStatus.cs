namespace ClusterTrainer.Cluster.Nodes;

/// <summary>Whether this node's worker is registered with the coordinator: read by the node's readiness check.</summary>
public sealed class WorkerRegistrationStatus
{
    private volatile string? _coordinator;

    /// <summary>The coordinator that accepted this worker; null until one has.</summary>
    public string? Coordinator => _coordinator;

    public void Registered(string coordinator) => _coordinator = coordinator;
}
