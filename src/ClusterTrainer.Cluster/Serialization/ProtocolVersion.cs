namespace ClusterTrainer.Cluster.Serialization;

/// <summary>
/// The version of the messages nodes exchange. Raise it whenever a cross-node message changes shape:
/// a node of another version is refused when it registers, and its messages cannot be read.
/// </summary>
public static class ProtocolVersion
{
    public const int Current = 5;
}
