using ClusterTrainer.Exchange.Compact;
using ClusterTrainer.Exchange.Tcp;
using ClusterTrainer.Exchange.Tests.Tcp;

namespace ClusterTrainer.Exchange.Tests.Compact;

/// <summary>Gradients summed as bfloat16: over the TCP ring (half the bytes of float32) and in process.</summary>
public class Bf16ExchangeTests
{
    private const int Length = 20_011;

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public async Task The_ring_should_leave_the_same_bf16_sum_on_every_rank_with_half_the_bytes_of_float32(int world)
    {
        var random = new Random(world);
        var ring = RingRun.Connect(world);
        try
        {
            var gradients = Gradients(random, world);
            var expected = PlainSum(gradients);

            var floats = gradients.Select(Buffer).ToArray();
            var floatBytes = await Measure(ring, () => RingRun.AllReduce(ring, floats));

            var results = gradients.Select(Buffer).ToArray();
            var wires = gradients.Select(_ => new Bf16Vector(Length)).ToArray();
            var bf16Bytes = await Measure(ring, () => RunAll(ring.Select((exchange, rank) =>
                (Action)(() => Bf16GradientExchange.AllReduceSum(exchange, results[rank], wires[rank], CancellationToken.None)))));

            Assert.All(results, result => Assert.Equal(results[0].Span.ToArray(), result.Span.ToArray()));
            AssertWithinBf16(expected, results[0].Span.ToArray(), world);
            // The call header is the same for both; the payload halves.
            var ratio = (double)bf16Bytes / floatBytes;
            Assert.InRange(ratio, 0.49, 0.51);
        }
        finally
        {
            RingRun.DisposeAll(ring);
        }
    }

    [Fact]
    public async Task The_in_process_group_should_sum_bf16_values_alike_on_every_member()
    {
        const int World = 3;
        var gradients = Gradients(new Random(5), World);
        var expected = PlainSum(gradients);
        using var group = new InProcessExchangeGroup(World, TimeSpan.FromSeconds(20));
        var results = gradients.Select(Buffer).ToArray();
        var wires = gradients.Select(_ => new Bf16Vector(Length)).ToArray();
        var ranks = Enumerable.Range(0, World).Select(rank => RingRun.StartRank(() =>
            Bf16GradientExchange.AllReduceSum(group.Members[rank], results[rank], wires[rank], CancellationToken.None))).ToArray();
        await Task.WhenAll(ranks).WaitAsync(RingRun.Bound);
        Assert.All(results, result => Assert.Equal(results[0].Span.ToArray(), result.Span.ToArray()));
        AssertWithinBf16(expected, results[0].Span.ToArray(), World);
    }

    [Fact]
    public async Task Members_that_disagree_on_the_precision_should_fail_naming_it()
    {
        using var group = new InProcessExchangeGroup(2, TimeSpan.FromSeconds(20));
        var floats = RingRun.StartRank(() => group.Members[0].AllReduceSum(GradientBuffer.Allocate(4), CancellationToken.None));
        var halves = RingRun.StartRank(() => group.Members[1].AllReduceSum(new Bf16Vector(4), CancellationToken.None));
        var error = await Assert.ThrowsAsync<ExchangeFailedException>(() => Task.WhenAll(floats, halves).WaitAsync(RingRun.Bound));
        Assert.Contains("--exchange-precision", error.Message, StringComparison.Ordinal);
    }

    private static async Task<long> Measure(IReadOnlyList<TcpRingExchange> ring, Action call)
    {
        var before = ring.Sum(exchange => exchange.BytesSent);
        await RingRun.StartRank(call).WaitAsync(RingRun.Bound);
        return ring.Sum(exchange => exchange.BytesSent) - before;
    }

    private static void RunAll(IEnumerable<Action> ranks)
    {
        var tasks = ranks.Select(RingRun.StartRank).ToArray();
        if (!Task.WaitAll(tasks, RingRun.Bound))
        {
            throw new TimeoutException($"the bf16 all-reduce did not finish within {RingRun.Bound}");
        }
    }

    private static float[][] Gradients(Random random, int world) =>
        Enumerable.Range(0, world).Select(_ => Enumerable.Range(0, Length).Select(_ => (float)((random.NextDouble() - 0.5) * 1e-2)).ToArray()).ToArray();

    private static GradientBuffer Buffer(float[] values)
    {
        var buffer = GradientBuffer.Allocate(values.Length);
        values.CopyTo(buffer.Span);
        return buffer;
    }

    private static float[] PlainSum(float[][] gradients) =>
        Enumerable.Range(0, Length).Select(i => gradients.Sum(g => g[i])).ToArray();

    /// <summary>
    /// Each rounding (of every input, and of every partial sum the ring forwards) errs by at most 2^-9 of what it
    /// rounds; with at most 2 x world roundings on magnitudes below the sum of the inputs' magnitudes, that bounds it.
    /// </summary>
    private static void AssertWithinBf16(float[] expected, float[] actual, int world)
    {
        var tolerance = 2 * world * Math.Pow(2, -8) * 0.5e-2 * world;
        var worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= tolerance, $"max |bf16 sum - float sum| = {worst:E3} > {tolerance:E3}");
        Assert.True(expected.Zip(actual).Any(pair => pair.First != pair.Second), "bf16 rounded nothing: the test cannot tell bf16 from float32");
    }
}
