using ClusterTrainer.Exchange;
using ClusterTrainer.Exchange.Tcp;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClusterTrainer.Exchange.Tests.Tcp;

public class TcpRingExchangeTests
{
    [Property(MaxTest = 40)]
    public Property Should_leave_the_plain_sum_on_every_rank_for_any_world_and_length_over_several_steps()
    {
        // Lengths from 0 through below N up to several 4 KiB chunks per segment (uneven segments included).
        var cases = from world in Gen.Choose(1, 8)
                    from length in Gen.OneOf(Gen.Choose(0, 9), Gen.Choose(10, 6000))
                    from seed in Gen.Choose(0, 10000)
                    select (world, length, seed);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var random = new Random(c.seed);
            var ring = RingRun.Connect(c.world);
            try
            {
                const int Steps = 3;
                for (var step = 0; step < Steps; step++)
                {
                    var buffers = RandomBuffers(random, c.world, c.length);
                    var expected = PlainSum(buffers);
                    RingRun.AllReduce(ring, buffers);
                    if (!buffers.All(buffer => MatchesWithin(buffer, expected, 1e-4)))
                    {
                        return false;
                    }
                }

                return true;
            }
            finally
            {
                RingRun.DisposeAll(ring);
            }
        });
    }

    [Fact]
    public async Task Should_stay_in_step_when_stream_calls_alternate_with_all_reduce_calls()
    {
        // The benchmark's baseline runs on the same ring between all-reduce calls; it must not disturb them.
        var random = new Random(11);
        var ring = RingRun.Connect(3);
        try
        {
            for (var round = 0; round < 3; round++)
            {
                var streams = ring.Select(exchange => RingRun.StartRank(() => exchange.Stream(RingBound.BytesPerNode(40_000, 3), CancellationToken.None))).ToArray();
                await Task.WhenAll(streams).WaitAsync(RingRun.Bound);
                var buffers = RandomBuffers(random, 3, 10_000);
                var expected = PlainSum(buffers);
                RingRun.AllReduce(ring, buffers);
                Assert.All(buffers, buffer => Assert.True(MatchesWithin(buffer, expected, 1e-4)));
            }
        }
        finally
        {
            RingRun.DisposeAll(ring);
        }
    }

    [Fact]
    public void Should_sum_a_model_sized_gradient_with_the_default_chunks()
    {
        var random = new Random(7);
        var ring = RingRun.Connect(3, RingRun.Options() with { ChunkBytes = 256 * 1024 });
        try
        {
            var buffers = RandomBuffers(random, 3, 421_642);
            var expected = PlainSum(buffers);
            RingRun.AllReduce(ring, buffers);
            Assert.All(buffers, buffer => Assert.True(MatchesWithin(buffer, expected, 1e-4)));
        }
        finally
        {
            RingRun.DisposeAll(ring);
        }
    }

    [Fact]
    public async Task Should_sum_int64_values_exactly_over_sockets_after_a_float_call()
    {
        var random = new Random(11);
        var ring = RingRun.Connect(3);
        try
        {
            // A float call first: the calls of one exchange share its links and numbering, whatever they carry.
            RingRun.AllReduce(ring, RandomBuffers(random, 3, 100));
            var values = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 5_003).Select(_ => random.NextInt64(-(1L << 60), 1L << 60)).ToArray()).ToArray();
            var expected = Enumerable.Range(0, 5_003).Select(i => values.Sum(v => v[i])).ToArray();
            var ranks = ring.Select((exchange, rank) => RingRun.StartRank(() => exchange.AllReduceSum(values[rank], CancellationToken.None))).ToArray();
            await Task.WhenAll(ranks).WaitAsync(RingRun.Bound);
            Assert.All(values, v => Assert.Equal(expected, v));
        }
        finally
        {
            RingRun.DisposeAll(ring);
        }
    }

    [Fact]
    public void Should_return_at_once_for_a_ring_of_one()
    {
        var ring = RingRun.Connect(1);
        var buffer = GradientBuffer.Allocate(5);
        buffer.Span.Fill(2.5f);
        ring[0].AllReduceSum(buffer, CancellationToken.None);
        Assert.All(buffer.Span.ToArray(), value => Assert.Equal(2.5f, value));
        RingRun.DisposeAll(ring);
    }

    internal static GradientBuffer[] RandomBuffers(Random random, int world, int length)
    {
        var buffers = Enumerable.Range(0, world).Select(_ => GradientBuffer.Allocate(length)).ToArray();
        foreach (var buffer in buffers)
        {
            for (var i = 0; i < length; i++)
            {
                buffer.Span[i] = (float)((random.NextDouble() * 2) - 1);
            }
        }

        return buffers;
    }

    internal static double[] PlainSum(GradientBuffer[] buffers)
    {
        var sum = new double[buffers[0].Length];
        foreach (var buffer in buffers)
        {
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += buffer.Span[i];
            }
        }

        return sum;
    }

    // Relative to the sum's scale: float addition in another order differs by a few ulps of the operands.
    internal static bool MatchesWithin(GradientBuffer buffer, double[] expected, double tolerance) =>
        Enumerable.Range(0, expected.Length).All(i => Math.Abs(buffer.Span[i] - expected[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])));
}
