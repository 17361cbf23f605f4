using ClusterTrainer.Rl.Exploration;

namespace ClusterTrainer.Rl.Tests.Exploration;

public class CollectorEpsilonTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(4, 3)]
    [InlineData(8, 7)]
    [InlineData(64, 7)]
    public void The_exponent_should_grow_with_the_collectors_up_to_apex_seven(int collectors, double alpha)
    {
        Assert.Equal(alpha, CollectorEpsilon.AlphaFor(collectors));
    }

    [Fact]
    public void Should_decay_from_one_to_the_apex_rate_over_the_fraction_of_the_quota()
    {
        // Collector 1 of 2 with base 0.04 and alpha 1: 0.04^2.
        var epsilon = new CollectorEpsilon(1, 2, 0.04, alpha: null, fraction: 0.1, quota: 1000);

        Assert.Equal(0.0016, epsilon.Final, 12);
        Assert.Equal(1.0, epsilon.At(0), 12);
        Assert.Equal(0.5008, epsilon.At(50), 12);
        Assert.Equal(0.0016, epsilon.At(100), 12);
        Assert.Equal(0.0016, epsilon.At(999), 12);
    }

    [Fact]
    public void The_first_collector_should_end_at_the_base()
    {
        Assert.Equal(0.04, new CollectorEpsilon(0, 4, 0.04, null, 0.16, 100).Final, 12);
        Assert.Equal(0.04, new CollectorEpsilon(0, 1, 0.04, null, 0.16, 100).Final, 12);
    }
}
