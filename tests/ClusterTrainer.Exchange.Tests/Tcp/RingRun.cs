using ClusterTrainer.Exchange;
using ClusterTrainer.Exchange.Tcp;

namespace ClusterTrainer.Exchange.Tests.Tcp;

/// <summary>Runs every rank of a loopback ring on a thread of its own, as separate nodes would, with a bound on the wait.</summary>
internal static class RingRun
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public static TcpRingOptions Options(string session = "test-session") => new(session)
    {
        IoTimeout = TimeSpan.FromSeconds(10),

        // The smallest chunk, so that short test buffers still span several chunks per segment.
        ChunkBytes = 4 * 1024,
    };

    public static IReadOnlyList<TcpRingExchange> Connect(int worldSize, TcpRingOptions? options = null) =>
        LoopbackRing.ConnectAsync(worldSize, options ?? Options(), Bound).WaitAsync(Bound).GetAwaiter().GetResult();

    public static Task StartRank(Action work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>One all-reduce on every rank at once; returns when all have finished.</summary>
    public static void AllReduce(IReadOnlyList<TcpRingExchange> ring, IReadOnlyList<GradientBuffer> buffers)
    {
        var ranks = ring.Select((exchange, rank) => StartRank(() => exchange.AllReduceSum(buffers[rank], CancellationToken.None))).ToArray();
        if (!Task.WaitAll(ranks, Bound))
        {
            throw new TimeoutException($"the all-reduce did not finish within {Bound}");
        }
    }

    public static void DisposeAll(IEnumerable<TcpRingExchange> ring)
    {
        foreach (var exchange in ring)
        {
            exchange.Dispose();
        }
    }
}
