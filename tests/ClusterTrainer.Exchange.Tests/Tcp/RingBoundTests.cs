using ClusterTrainer.Exchange.Tcp;

namespace ClusterTrainer.Exchange.Tests.Tcp;

public class RingBoundTests
{
    [Theory]
    [InlineData(1_000_000, 1, 1e9, 0.0)]
    [InlineData(1_000_000, 2, 1e9, 1e-3)]
    [InlineData(1_000_000, 4, 1e9, 1.5e-3)]
    [InlineData(1_686_568, 3, 2e9, 2.0 * 2 / 3 * 1_686_568 / 2e9)]
    public void Should_bound_a_ring_by_two_n_minus_one_over_n_of_the_buffer(long bytes, int world, double bytesPerSecond, double expected) =>
        Assert.Equal(expected, RingBound.Seconds(bytes, world, bytesPerSecond), 12);

    [Fact]
    public void Should_reject_bounds_without_meaning()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RingBound.Seconds(-1, 2, 1e9));
        Assert.Throws<ArgumentOutOfRangeException>(() => RingBound.Seconds(10, 0, 1e9));
        Assert.Throws<ArgumentOutOfRangeException>(() => RingBound.Seconds(10, 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => RingBound.Seconds(10, 2, double.NaN));
    }
}
