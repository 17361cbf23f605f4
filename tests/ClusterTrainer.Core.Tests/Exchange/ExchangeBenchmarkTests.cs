using ClusterTrainer.Core.Exchange.Tcp;

namespace ClusterTrainer.Core.Tests.Exchange;

public class ExchangeBenchmarkTests
{
    [Fact]
    public async Task Should_measure_a_positive_loopback_bandwidth()
    {
        var mebibytesPerSecond = await TcpThroughput.MeasureAsync(4 * 1024 * 1024, 3).WaitAsync(RingRun.Bound);

        // Even a loaded two-core machine moves far more than 10 MiB/s over loopback; far less means a broken probe.
        Assert.InRange(mebibytesPerSecond, 10, 1e6);
    }

    [Fact]
    public async Task Should_report_every_size_and_ring_against_its_bound()
    {
        var report = await ExchangeBenchmark.RunAsync([1_000, 50_000], [1, 2, 3], repetitions: 3).WaitAsync(RingRun.Bound);

        Assert.Equal(6, report.Results.Count);
        Assert.Equal([1, 1, 2, 2, 3, 3], report.Results.Select(result => result.WorldSize));
        Assert.All(report.Results.Where(result => result.WorldSize > 1), result =>
        {
            Assert.InRange(result.MedianSeconds, 1e-7, 10);
            Assert.Equal(RingBound.Seconds(result.Bytes, result.WorldSize, report.RawMiBPerSecond * 1024 * 1024), result.BoundSeconds, 12);
        });
    }
}
