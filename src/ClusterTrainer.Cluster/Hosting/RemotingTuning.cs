namespace ClusterTrainer.Cluster.Hosting;

/// <summary>Akka.Remote settings every process of a cluster uses, in one place.</summary>
public static class RemotingTuning
{
    /// <summary>
    /// Remoting batches writes and flushes a half-empty batch only every 40 ms: our few small messages per step
    /// (assignments, samples, acknowledgements) would wait for it each time.
    /// </summary>
    public const string Hocon = "akka.remote.dot-netty.tcp.batching.enabled = false\n";
}
