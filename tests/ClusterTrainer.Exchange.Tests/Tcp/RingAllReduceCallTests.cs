using ClusterTrainer.Exchange;
using ClusterTrainer.Exchange.Tcp;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClusterTrainer.Exchange.Tests.Tcp;

/// <summary>
/// The bytes of a ring all-reduce call, driven without sockets: each rank's outgoing bytes go into an in-memory pipe to
/// its right neighbour, cut into random pieces (down to single bytes, so floats arrive split), in a random order of
/// ranks. Real sockets rarely cut a stream that finely; any order the calls allow must still give the plain sum.
/// </summary>
public class RingAllReduceCallTests
{
    [Property(MaxTest = 150)]
    public Property Should_leave_the_plain_sum_on_every_rank_however_the_stream_is_cut()
    {
        var cases = from world in Gen.Choose(2, 6)
                    from length in Gen.OneOf(Gen.Choose(0, 9), Gen.Choose(10, 3000))
                    from scratchFloats in Gen.Choose(1, 64)
                    from chunkBytes in Gen.Choose(1, 512)
                    from seed in Gen.Choose(0, 100_000)
                    select (world, length, scratchFloats, chunkBytes, seed);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var random = new Random(c.seed);
            var buffers = TcpRingExchangeTests.RandomBuffers(random, c.world, c.length);
            var expected = TcpRingExchangeTests.PlainSum(buffers);

            var calls = Enumerable.Range(0, c.world)
                .Select(rank => new RingAllReduceCall(new RingSchedule(rank, c.world, c.length), RingVector.Of(buffers[rank]), new byte[c.scratchFloats * sizeof(float)], c.chunkBytes, 1, (phase, what) => $"{phase}: {what}"))
                .ToArray();
            Drive(calls, random);
            return buffers.All(buffer => TcpRingExchangeTests.MatchesWithin(buffer, expected, 1e-4));
        });
    }

    [Property(MaxTest = 100)]
    public Property Should_leave_the_exact_int64_sum_on_every_rank_however_the_stream_is_cut()
    {
        var cases = from world in Gen.Choose(2, 6)
                    from length in Gen.OneOf(Gen.Choose(0, 9), Gen.Choose(10, 2000))
                    from scratchBytes in Gen.Choose(8, 512)
                    from chunkBytes in Gen.Choose(1, 512)
                    from seed in Gen.Choose(0, 100_000)
                    select (world, length, scratchBytes, chunkBytes, seed);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var random = new Random(c.seed);
            // Values across the whole int64 range but small enough that no sum of six wraps.
            var values = Enumerable.Range(0, c.world)
                .Select(_ => Enumerable.Range(0, c.length).Select(_ => random.NextInt64(-(1L << 59), 1L << 59)).ToArray())
                .ToArray();
            var expected = Enumerable.Range(0, c.length).Select(i => values.Sum(v => v[i])).ToArray();

            var calls = Enumerable.Range(0, c.world)
                .Select(rank => new RingAllReduceCall(new RingSchedule(rank, c.world, c.length), RingVector.Of(values[rank]), new byte[c.scratchBytes], c.chunkBytes, 1, (phase, what) => $"{phase}: {what}"))
                .ToArray();
            Drive(calls, random);
            return values.All(v => v.SequenceEqual(expected));
        });
    }

    [Fact]
    public void Should_refuse_by_name_a_neighbour_that_sums_floats_when_this_rank_sums_int64()
    {
        var call = new RingAllReduceCall(new RingSchedule(1, 2, 8), RingVector.Of(new long[8]), new byte[64], 1024, 7, (phase, what) => $"{phase}: {what}");
        IRingIncoming incoming = call;
        var header = new byte[RingCallHeader.Bytes];
        RingCallHeader.Write(header, 7, 8);
        header.CopyTo(incoming.Next());
        var error = Assert.Throws<ExchangeFailedException>(() => incoming.Advance(header.Length));
        Assert.Equal("the call header: it sums float32 values, rank 1 int64 values (are the workers' --deterministic settings the same?)", error.Message);
    }

    [Fact]
    public void Should_offer_nothing_of_a_forwarded_segment_before_its_bytes_are_final()
    {
        // Rank 0 of 2: step 0 sends its own segment, step 1 forwards the segment it sums at step 0.
        var buffer = GradientBuffer.Allocate(8);
        var call = new RingAllReduceCall(new RingSchedule(0, 2, 8), RingVector.Of(buffer), new byte[4 * sizeof(float)], 1024, 1, (phase, what) => $"{phase}: {what}");
        IRingOutgoing outgoing = call;
        IRingIncoming incoming = call;
        outgoing.Advance(outgoing.Next().Length);
        outgoing.Advance(outgoing.Next().Length);
        Assert.Equal(0, outgoing.Next().Length);

        var header = new byte[RingCallHeader.Bytes];
        RingCallHeader.Write(header, 1, 8);
        header.CopyTo(incoming.Next());
        incoming.Advance(header.Length);

        // Six bytes arrive: one whole float (4 bytes) is summed and may go on, the split second one may not.
        incoming.Advance(Math.Min(6, incoming.Next().Length));
        Assert.Equal(4, outgoing.Next().Length);
    }

    [Fact]
    public void Should_name_the_mismatch_when_the_left_neighbour_is_at_another_call()
    {
        var call = new RingAllReduceCall(new RingSchedule(1, 2, 8), RingVector.Of(GradientBuffer.Allocate(8)), new byte[4 * sizeof(float)], 1024, 7, (phase, what) => $"{phase}: {what}");
        IRingIncoming incoming = call;
        var header = new byte[RingCallHeader.Bytes];
        RingCallHeader.Write(header, 6, 8);
        header.CopyTo(incoming.Next());
        var error = Assert.Throws<ExchangeFailedException>(() => incoming.Advance(header.Length));
        Assert.Equal("the call header: it is at all-reduce call 6, rank 1 at call 7", error.Message);
    }

    private static void Drive(RingAllReduceCall[] calls, Random random)
    {
        var world = calls.Length;
        var pipes = Enumerable.Range(0, world).Select(_ => new Queue<byte>()).ToArray();
        while (calls.Any(call => !((IRingOutgoing)call).Done || !((IRingIncoming)call).Done))
        {
            var moved = false;
            foreach (var rank in Enumerable.Range(0, world).OrderBy(_ => random.Next()))
            {
                moved |= random.Next(2) == 0
                    ? Send(calls[rank], pipes[rank], random) | Receive(calls[rank], pipes[(rank - 1 + world) % world], random)
                    : Receive(calls[rank], pipes[(rank - 1 + world) % world], random) | Send(calls[rank], pipes[rank], random);
            }

            Assert.True(moved, "the ring is stuck: no rank can send or receive");
        }

        Assert.All(pipes, pipe => Assert.Empty(pipe));
    }

    private static bool Send(IRingOutgoing outgoing, Queue<byte> pipe, Random random)
    {
        if (outgoing.Done)
        {
            return false;
        }

        var data = outgoing.Next();
        if (data.IsEmpty)
        {
            return false;
        }

        var count = Piece(random, data.Length);
        foreach (var value in data[..count])
        {
            pipe.Enqueue(value);
        }

        outgoing.Advance(count);
        return true;
    }

    private static bool Receive(IRingIncoming incoming, Queue<byte> pipe, Random random)
    {
        if (incoming.Done || pipe.Count == 0)
        {
            return false;
        }

        var target = incoming.Next();
        var count = Math.Min(Piece(random, target.Length), pipe.Count);
        for (var i = 0; i < count; i++)
        {
            target[i] = pipe.Dequeue();
        }

        incoming.Advance(count);
        return true;
    }

    // Mostly small pieces, sometimes all that is offered.
    private static int Piece(Random random, int available) => random.Next(4) == 0 ? available : random.Next(1, Math.Min(available, 9) + 1);
}
