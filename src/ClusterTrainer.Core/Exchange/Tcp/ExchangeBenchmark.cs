using System.Diagnostics;

namespace ClusterTrainer.Core.Exchange.Tcp;

/// <summary>
/// Measures the TCP ring against raw TCP on loopback, every rank a thread of this process. On one machine all ranks
/// share its cores and its loopback, so the ratios are worse than across machines; they still show the ring's cost
/// and catch regressions. The CLI's benchmark calls this.
/// </summary>
public static class ExchangeBenchmark
{
    private const int WarmupCalls = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<ExchangeBenchmarkReport> RunAsync(
        IReadOnlyList<int> floatCounts,
        IReadOnlyList<int> worldSizes,
        int repetitions,
        TcpRingOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(floatCounts);
        ArgumentNullException.ThrowIfNull(worldSizes);
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        options ??= new TcpRingOptions("exchange-benchmark");
        var largest = floatCounts.DefaultIfEmpty(1).Max() * (long)sizeof(float);
        var rawMiBPerSecond = await TcpThroughput.MeasureAsync(Math.Max(largest, 16L * 1024 * 1024), Math.Max(3, repetitions), cancellationToken)
            .ConfigureAwait(false);
        var bytesPerSecond = rawMiBPerSecond * 1024 * 1024;

        var results = new List<ExchangeMeasurement>();
        foreach (var worldSize in worldSizes)
        {
            var ring = await LoopbackRing.ConnectAsync(worldSize, options, Timeout, cancellationToken).ConfigureAwait(false);
            try
            {
                foreach (var floats in floatCounts)
                {
                    var seconds = await MedianCallSecondsAsync(ring, floats, repetitions).ConfigureAwait(false);
                    results.Add(new ExchangeMeasurement(floats, worldSize, seconds, RingBound.Seconds(floats * (long)sizeof(float), worldSize, bytesPerSecond)));
                }
            }
            finally
            {
                foreach (var exchange in ring)
                {
                    exchange.Dispose();
                }
            }
        }

        return new ExchangeBenchmarkReport(rawMiBPerSecond, results);
    }

    /// <summary>
    /// Ranks finish a call at slightly different moments, so a call's time is the slowest rank's; the median over
    /// calls drops the scheduler's outliers.
    /// </summary>
    private static async Task<double> MedianCallSecondsAsync(IReadOnlyList<TcpRingExchange> ring, int floats, int repetitions)
    {
        var seconds = new double[ring.Count][];
        var ranks = ring.Select((exchange, rank) => Task.Factory.StartNew(
                () => seconds[rank] = TimeCalls(exchange, floats, repetitions),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default))
            .ToArray();
        await Task.WhenAll(ranks).WaitAsync(Timeout * (repetitions + WarmupCalls)).ConfigureAwait(false);
        var slowest = Enumerable.Range(0, repetitions).Select(call => seconds.Max(rank => rank[call])).Order().ToArray();
        return slowest[repetitions / 2];
    }

    private static double[] TimeCalls(TcpRingExchange exchange, int floats, int repetitions)
    {
        var buffer = GradientBuffer.Allocate(floats);
        buffer.Span.Fill(1f);
        for (var i = 0; i < WarmupCalls; i++)
        {
            exchange.AllReduceSum(buffer, CancellationToken.None);
        }

        var seconds = new double[repetitions];
        for (var i = 0; i < repetitions; i++)
        {
            // Keeps the values finite however many calls run (the sum grows by N each call).
            buffer.Span.Fill(1f);
            var clock = Stopwatch.StartNew();
            exchange.AllReduceSum(buffer, CancellationToken.None);
            seconds[i] = clock.Elapsed.TotalSeconds;
        }

        return seconds;
    }
}
