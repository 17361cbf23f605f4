namespace ClusterTrainer.Cluster.Workers;

/// <summary>How long a worker waits for samples from a shard and for its exchange peers to connect.</summary>
public sealed record WorkerTimeouts(TimeSpan Fetch, TimeSpan Connect)
{
    public static readonly WorkerTimeouts Default = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
}
