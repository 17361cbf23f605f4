using System.Globalization;
using ClusterTrainer.Core;
using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Cluster.Rl;

/// <summary>Where a DQN job's collectors run when the job runs on a multi-process cluster.</summary>
public enum DqnPlacement
{
    /// <summary>Every actor in the coordinator's process (`clustertrainer dqn`, tests, benchmarks).</summary>
    InProcess,

    /// <summary>Collectors on the cluster's worker nodes; replay, learner and evaluator stay with the coordinator.</summary>
    WorkerNodes,
}

/// <summary>The pure decisions behind putting collectors on worker nodes.</summary>
public static class CollectorPlacement
{
    /// <summary>
    /// What one experience message may weigh when it crosses nodes: half of Akka.Remote's default
    /// 128,000-byte frame (bigger messages are dropped, not delivered late), and small enough not to hold
    /// up the heartbeats that share the connection.
    /// </summary>
    public const int MaxMessageBytes = 64_000;

    /// <summary>
    /// Deals collectors round-robin over the nodes, in the order given (callers sort them so the same
    /// cluster gives the same placement). Nodes left without a collector are not listed.
    /// </summary>
    public static IReadOnlyList<(TNode Node, int[] Collectors)> Deal<TNode>(int collectors, IReadOnlyList<TNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentOutOfRangeException.ThrowIfLessThan(collectors, 1);
        if (nodes.Count == 0)
        {
            throw new ArgumentException("there is no node to place collectors on", nameof(nodes));
        }

        return nodes
            .Select((node, n) => (node, Enumerable.Range(0, collectors).Where(i => i % nodes.Count == n).ToArray()))
            .Where(placed => placed.Item2.Length > 0)
            .ToArray();
    }

    /// <summary>
    /// The encoded size of the largest experience chunk (StoreExperience) and of its progress report
    /// (CollectorProgressed, at worst one finished episode per transition).
    /// </summary>
    public static int LargestMessageBytes(DqnSettings settings, int observationSize)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var transitions = (long)settings.ChunkSteps * settings.EnvsPerCollector;
        // Per transition: observation and next observation (floats), action (int), reward (float), terminated (byte).
        var experience = 64 + (transitions * ((2L * observationSize * sizeof(float)) + sizeof(int) + sizeof(float) + 1));
        // Per episode: return (double) and length (int).
        var progress = 96 + (transitions * (sizeof(double) + sizeof(int)));
        return (int)Math.Min(int.MaxValue, Math.Max(experience, progress));
    }

    /// <summary>Refuses settings whose chunks could not cross nodes, naming the settings to change.</summary>
    /// <exception cref="SettingsException">naming --chunk-steps when a chunk would exceed <see cref="MaxMessageBytes"/>.</exception>
    public static void CheckMessageSizes(DqnSettings settings, int observationSize)
    {
        var bytes = LargestMessageBytes(settings, observationSize);
        if (bytes > MaxMessageBytes)
        {
            throw new SettingsException(
                "--chunk-steps",
                string.Create(CultureInfo.InvariantCulture, $"{settings.ChunkSteps} x --envs-per-collector {settings.EnvsPerCollector} transitions per chunk make messages of up to {bytes:N0} bytes; collectors on worker nodes need at most {MaxMessageBytes:N0} (Akka.Remote drops messages over its 128,000-byte frame): lower --chunk-steps or --envs-per-collector."));
        }
    }
}
