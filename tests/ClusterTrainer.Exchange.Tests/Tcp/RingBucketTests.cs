using ClusterTrainer.Exchange;
using ClusterTrainer.Exchange.Tcp;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClusterTrainer.Exchange.Tests.Tcp;

/// <summary>
/// Gradient buckets (`--bucket-mb`): a gradient all-reduced in slices, one call per bucket, must end with the same bits
/// as the same gradient all-reduced in one call, at every world size, for any cut (a bucket inside one segment, across
/// several, shorter than the world).
/// </summary>
public class RingBucketTests
{
    [Property(MaxTest = 25)]
    public Property Buckets_should_give_the_same_bits_as_one_call_on_the_whole_gradient()
    {
        var cases = from world in Gen.Choose(2, 5)
                    from length in Gen.Choose(1, 5000)
                    from cuts in Gen.Choose(1, 6)
                    from seed in Gen.Choose(0, 10000)
                    select (world, length, cuts, seed);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var random = new Random(c.seed);
            var values = Enumerable.Range(0, c.world).Select(_ => Enumerable.Range(0, c.length).Select(_ => (float)((random.NextDouble() * 2) - 1) * 1e3f).ToArray()).ToArray();
            var bounds = Cuts(random, c.length, c.cuts);
            var ring = RingRun.Connect(c.world);
            try
            {
                var whole = Buffers(values);
                RingRun.AllReduce(ring, whole);
                var bucketed = Buffers(values);
                // Reverse order, as backward makes the buckets ready.
                for (var b = bounds.Count - 2; b >= 0; b--)
                {
                    var (offset, count) = (bounds[b], bounds[b + 1] - bounds[b]);
                    RingRun.AllReduce(ring, [.. bucketed.Select(buffer => buffer.Slice(offset, count))]);
                }

                return bucketed.Zip(whole).All(pair => pair.First.Span.SequenceEqual(pair.Second.Span));
            }
            finally
            {
                RingRun.DisposeAll(ring);
            }
        });
    }

    [Fact]
    public void The_whole_call_should_differ_in_the_last_bits_from_a_sum_in_another_order_so_the_test_above_can_fail()
    {
        // Three ranks: the ring adds each segment starting at a different rank; a bucket that kept its own segments would
        // start elsewhere for some elements. Values chosen so that the order of the additions shows in the bits.
        float[][] values = [[1e8f, 1e8f, 1e8f], [1f, 1f, 1f], [-1e8f, -1e8f, -1e8f]];
        var ring = RingRun.Connect(3);
        try
        {
            var whole = Buffers(values);
            RingRun.AllReduce(ring, whole);
            var sums = whole[0].Span.ToArray();
            Assert.NotEqual(sums.Min(), sums.Max());
        }
        finally
        {
            RingRun.DisposeAll(ring);
        }
    }

    [Fact]
    public void A_slice_should_remember_where_it_sits_in_the_whole_buffer()
    {
        var buffer = GradientBuffer.Allocate(100);
        var slice = buffer.Slice(10, 50).Slice(5, 20);

        Assert.Equal((15, 20, 100), (slice.Offset, slice.Length, slice.WholeLength));
        slice.Span[0] = 7f;
        Assert.Equal(7f, buffer.Span[15]);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Slice(90, 11));
    }

    private static GradientBuffer[] Buffers(float[][] values) =>
        [.. values.Select(v =>
        {
            var buffer = GradientBuffer.Allocate(v.Length);
            v.CopyTo(buffer.Span);
            return buffer;
        })];

    private static List<int> Cuts(Random random, int length, int cuts)
    {
        var bounds = new SortedSet<int> { 0, length };
        for (var i = 0; i < cuts; i++)
        {
            bounds.Add(random.Next(1, length));
        }

        return [.. bounds];
    }
}
