namespace ClusterTrainer.Cluster.Nodes;

/// <summary>
/// What a node without the coordinator role knows about the coordinators of its cluster: none seen yet (still
/// joining), some up, or all gone after one was seen. The last means this node's cluster has no future: the
/// next coordinator founds a new cluster, which this node can only join as a new process.
/// </summary>
public sealed class CoordinatorPresence
{
    private readonly HashSet<string> _up = new(StringComparer.Ordinal);

    public bool SeenAny { get; private set; }

    /// <summary>True once every coordinator this node has seen is gone.</summary>
    public bool Lost => SeenAny && _up.Count == 0;

    public void Up(string address)
    {
        SeenAny = true;
        _up.Add(address);
    }

    /// <returns>True when this removal leaves the cluster without any coordinator.</returns>
    public bool Removed(string address) => _up.Remove(address) && _up.Count == 0;
}
