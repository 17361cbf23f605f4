using ClusterTrainer.Core;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClusterTrainer.Core.Tests;

public class MicroBatchesTests
{
    [Property(MaxTest = 300)]
    public Property Should_give_every_world_the_same_micro_batches_of_every_step()
    {
        var cases = from size in Gen.Choose(1, 700)
                    from batch in Gen.Choose(1, 130)
                    from micro in Gen.Choose(1, 40)
                    from workers in Gen.Choose(1, 9)
                    from seed in Gen.Choose(0, 100_000)
                    select (size, batch, micro: Math.Min(micro, batch), workers, seed);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            // One worker's micro-batches are the reference: the same sample lists, in the same order, must come out
            // of the assignments of any world, each cut where that worker would cut it.
            var alone = new EpochPlan(c.seed, 1, c.size, c.batch, 1, c.micro);
            var world = new EpochPlan(c.seed, 1, c.size, c.batch, c.workers, c.micro);
            for (var step = 0; step < alone.StepCount; step++)
            {
                var expected = Cut(alone.Assignment(step, 0), c.micro);
                var dealt = Enumerable.Range(0, c.workers).SelectMany(rank => Cut(world.Assignment(step, rank), c.micro)).ToList();
                if (dealt.Count != expected.Count || !dealt.Zip(expected).All(pair => pair.First.SequenceEqual(pair.Second)))
                {
                    return false;
                }
            }

            return true;
        });
    }

    [Property(MaxTest = 300)]
    public Property Should_deal_whole_micro_batches_as_evenly_as_they_allow()
    {
        var cases = from batch in Gen.Choose(0, 500)
                    from micro in Gen.Choose(1, 64)
                    from workers in Gen.Choose(1, 12)
                    select (batch, micro, workers);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var counts = Enumerable.Range(0, c.workers)
                .Select(rank => MicroBatches.Within(MicroBatches.DealtTo(c.batch, c.micro, c.workers, rank).Count, c.micro).Count())
                .ToArray();
            return counts.Sum() == MicroBatches.Count(c.batch, c.micro) && counts.Max() - counts.Min() <= 1;
        });
    }

    [Fact]
    public void Should_refuse_a_micro_batch_without_deterministic_mode_by_name()
    {
        var error = Assert.Throws<SettingsException>(() => (TrainingSettings.DefaultsFor(ModelKind.Cnn) with { MicroBatch = 8 }).Validate());
        Assert.Equal("--micro-batch", error.Setting);
        Assert.Contains("--deterministic", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void Should_refuse_a_micro_batch_outside_the_batch(int microBatch)
    {
        var error = Assert.Throws<SettingsException>(() => (TrainingSettings.DefaultsFor(ModelKind.Cnn) with { Deterministic = true, MicroBatch = microBatch }).Validate());
        Assert.Equal("--micro-batch", error.Setting);
    }

    [Fact]
    public void Should_default_to_half_the_batch_whatever_the_workers()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Deterministic = true, BatchSize = 100 };
        Assert.Equal(50, settings.MicroBatchSize);
        Assert.Equal(50, (settings with { Workers = 3 }).MicroBatchSize);
        Assert.Equal(32, (settings with { BatchSize = 63 }).MicroBatchSize);
        Assert.Equal(1, (settings with { BatchSize = 1 }).MicroBatchSize);
    }

    private static List<int[]> Cut(int[] assignment, int micro) =>
        MicroBatches.Within(assignment.Length, micro).Select(part => assignment.AsSpan(part.Offset, part.Count).ToArray()).ToList();
}
