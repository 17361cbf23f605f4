using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ClusterTrainer.Exchange;
using ClusterTrainer.Exchange.Tcp;

namespace ClusterTrainer.Exchange.Tests.Tcp;

public class TcpRingFailureTests
{
    [Fact]
    public async Task Should_fail_every_rank_fast_and_name_the_peer_when_a_rank_dies_mid_step()
    {
        // A long I/O timeout: the ranks must fail because the dead rank's sockets close, not because they time out.
        var ring = RingRun.Connect(4, RingRun.Options() with { IoTimeout = TimeSpan.FromMinutes(2) });
        try
        {
            var dead = ring[2];
            var survivors = new[] { ring[0], ring[1], ring[3] };
            using var started = new CountdownEvent(survivors.Length);
            var calls = survivors.Select(exchange => RingRun.StartRank(() =>
            {
                started.Signal();
                exchange.AllReduceSum(GradientBuffer.Allocate(100_000), CancellationToken.None);
            })).ToArray();
            Assert.True(started.Wait(RingRun.Bound));

            var clock = Stopwatch.StartNew();
            await dead.DisposeAsync();
            foreach (var call in calls)
            {
                await Assert.ThrowsAsync<ExchangeFailedException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
            var rightOfDead = await Assert.ThrowsAsync<ExchangeFailedException>(() => calls[2]);
            Assert.Contains("left neighbour rank 2", rightOfDead.Message, StringComparison.Ordinal);
            Assert.Contains("rank 3", rightOfDead.Message, StringComparison.Ordinal);

            // Broken for good: a later call fails at once with the same cause instead of waiting on a dead ring.
            var later = Assert.Throws<ExchangeFailedException>(() => ring[3].AllReduceSum(GradientBuffer.Allocate(8), CancellationToken.None));
            Assert.Contains("left neighbour rank 2", later.Message, StringComparison.Ordinal);
        }
        finally
        {
            RingRun.DisposeAll(ring);
        }
    }

    [Fact]
    public async Task Should_time_out_with_the_phase_and_the_peer_when_a_neighbour_never_joins_the_step()
    {
        var ring = RingRun.Connect(2, RingRun.Options() with { IoTimeout = TimeSpan.FromMilliseconds(300) });
        try
        {
            var call = RingRun.StartRank(() => ring[0].AllReduceSum(GradientBuffer.Allocate(64), CancellationToken.None));
            var error = await Assert.ThrowsAsync<ExchangeFailedException>(() => call.WaitAsync(RingRun.Bound));
            Assert.Contains("left neighbour rank 1", error.Message, StringComparison.Ordinal);
            Assert.Contains("call header", error.Message, StringComparison.Ordinal);
            Assert.Contains("nothing moved for 0.3 s", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            RingRun.DisposeAll(ring);
        }
    }

    [Fact]
    public void Should_refuse_buffers_of_different_lengths_naming_both()
    {
        var ring = RingRun.Connect(2);
        try
        {
            var error = Assert.Throws<AggregateException>(() => RingRun.AllReduce(ring, [GradientBuffer.Allocate(4), GradientBuffer.Allocate(5)]));
            // Whichever rank reads the other's header first reports it; the other may only see the closed connection.
            Assert.Contains(
                error.InnerExceptions,
                e => e is ExchangeFailedException
                    && (e.Message.Contains("it has 5 gradient values, rank 0 has 4", StringComparison.Ordinal)
                        || e.Message.Contains("it has 4 gradient values, rank 1 has 5", StringComparison.Ordinal)));
        }
        finally
        {
            RingRun.DisposeAll(ring);
        }
    }

    [Fact]
    public async Task Should_abort_the_step_when_the_caller_cancels()
    {
        var ring = RingRun.Connect(2);
        try
        {
            using var cancellation = new CancellationTokenSource();
            using var started = new ManualResetEventSlim();
            var call = RingRun.StartRank(() =>
            {
                started.Set();
                ring[0].AllReduceSum(GradientBuffer.Allocate(64), cancellation.Token);
            });
            Assert.True(started.Wait(RingRun.Bound));
            await cancellation.CancelAsync();
            var error = await Assert.ThrowsAsync<ExchangeFailedException>(() => call.WaitAsync(RingRun.Bound));
            Assert.Contains("cancelled", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            RingRun.DisposeAll(ring);
        }
    }

    [Fact]
    public async Task Should_give_up_connecting_after_the_timeout_naming_the_unreachable_neighbour()
    {
        var options = RingRun.Options();
        using var endpoint = TcpRingEndpoint.Bind(IPAddress.Loopback, 0, options);
        var nobody = ClosedLoopbackPort();
        var error = await Assert.ThrowsAsync<ExchangeFailedException>(
            () => endpoint.ConnectAsync(0, [endpoint.EndPoint, nobody], TimeSpan.FromMilliseconds(300), CancellationToken.None).WaitAsync(RingRun.Bound));
        Assert.Contains("rank 1", error.Message, StringComparison.Ordinal);
        Assert.Contains(nobody.ToString(), error.Message, StringComparison.Ordinal);
    }

    private static IPEndPoint ClosedLoopbackPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }
}
