using ClusterTrainer.Exchange.Exact;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClusterTrainer.Exchange.Tests.Exact;

public class ExactLossTests
{
    [Property(MaxTest = 200)]
    public Property Should_add_rounded_losses_to_the_same_double_in_any_order()
    {
        var cases = from count in Gen.Choose(1, 200)
                    from seed in Gen.Choose(0, 1_000_000)
                    select (count, seed);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var random = new Random(c.seed);
            // Summed losses of micro-batches or chunks: 0 to about a thousand, float32 as the model reports them.
            var parts = Enumerable.Range(0, c.count).Select(_ => ExactLoss.Round((float)(random.NextDouble() * Math.ScaleB(1.0, random.Next(-20, 10))))).ToArray();
            var forwards = parts.Aggregate(0.0, (sum, part) => sum + part);
            var shuffled = parts.OrderBy(_ => random.Next()).Aggregate(0.0, (sum, part) => sum + part);
            return forwards == shuffled;
        });
    }

    [Fact]
    public void Should_round_to_a_multiple_of_two_to_the_minus_24_and_keep_what_is_not_finite()
    {
        Assert.Equal(0.5 + Math.ScaleB(1.0, -24), ExactLoss.Round(0.5 + Math.ScaleB(1.0, -24) + Math.ScaleB(1.0, -27)));
        Assert.Equal(2.25, ExactLoss.Round(2.25));
        Assert.True(double.IsNaN(ExactLoss.Round(double.NaN)));
        Assert.Equal(double.PositiveInfinity, ExactLoss.Round(double.PositiveInfinity));
    }
}
