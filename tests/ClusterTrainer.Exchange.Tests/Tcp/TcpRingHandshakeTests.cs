using System.Net;
using System.Net.Sockets;
using ClusterTrainer.Exchange;
using ClusterTrainer.Exchange.Tcp;

namespace ClusterTrainer.Exchange.Tests.Tcp;

public class TcpRingHandshakeTests
{
    // Long, so that "refused long before its timeout" holds on a CI machine whose 2 cores are busy building the other
    // test projects (a 5 s timeout, checked at half of it, failed there once while another project built).
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Should_refuse_a_neighbour_of_another_session_naming_both_sessions()
    {
        using var first = TcpRingEndpoint.Bind(IPAddress.Loopback, 0, RingRun.Options("job-7"));
        using var second = TcpRingEndpoint.Bind(IPAddress.Loopback, 0, RingRun.Options("job-8"));
        // Rank 2 listens but never joins, so rank 1 is left waiting on both sides. In a ring of two, rank 1 would dial
        // rank 0 as well, be refused by it, give up, and sometimes drop rank 0's dial before answering it.
        using var silent = TcpRingEndpoint.Bind(IPAddress.Loopback, 0, RingRun.Options("job-8"));
        IPEndPoint[] ring = [first.EndPoint, second.EndPoint, silent.EndPoint];
        var acceptWindow = TimeSpan.FromSeconds(6);

        var dialled = first.ConnectAsync(0, ring, ConnectTimeout, CancellationToken.None);
        var accepted = second.ConnectAsync(1, ring, acceptWindow, CancellationToken.None);

        // The rank that dialled a wrong session is refused at the handshake, long before its connect timeout...
        var refused = await Assert.ThrowsAsync<ExchangeFailedException>(() => dialled.WaitAsync(ConnectTimeout / 2));
        Assert.Contains("belongs to session 'job-8', rank 0 to session 'job-7'", refused.Message, StringComparison.Ordinal);

        // ...while the accepting rank keeps waiting for a proper neighbour (a stray must not cost it its place),
        // and at its timeout still says what it turned away.
        var waited = await Assert.ThrowsAsync<ExchangeFailedException>(() => accepted.WaitAsync(ConnectTimeout));
        Assert.Contains("'job-7'", waited.Message, StringComparison.Ordinal);
        Assert.Contains("'job-8'", waited.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_a_peer_of_another_protocol_version_and_still_form_the_ring()
    {
        var options = RingRun.Options();
        using var first = TcpRingEndpoint.Bind(IPAddress.Loopback, 0, options);
        using var second = TcpRingEndpoint.Bind(IPAddress.Loopback, 0, options);
        IPEndPoint[] ring = [first.EndPoint, second.EndPoint];

        // An old node, still holding this ring's addresses, dials rank 1 before the real rank 0 does.
        using var stray = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await stray.ConnectAsync(second.EndPoint);
        await stray.SendAsync(new RingHello(Version: 99, Rank: 0, WorldSize: 2, options.SessionId).Encode());
        var secondJoins = second.ConnectAsync(1, ring, ConnectTimeout, CancellationToken.None);

        await using var strayStream = new NetworkStream(stray);
        var theirHello = new byte[RingHello.PrefixBytes + RingHello.FixedBodyBytes + options.SessionId.Length];
        await strayStream.ReadExactlyAsync(theirHello).AsTask().WaitAsync(ConnectTimeout);
        var refusal = await RingVerdict.ReadAsync(strayStream, CancellationToken.None).WaitAsync(ConnectTimeout);
        Assert.NotNull(refusal);
        Assert.Contains("version 99", refusal, StringComparison.Ordinal);
        Assert.Contains($"version {RingHello.CurrentVersion}", refusal, StringComparison.Ordinal);

        var firstJoins = first.ConnectAsync(0, ring, ConnectTimeout, CancellationToken.None);
        var exchanges = await Task.WhenAll(firstJoins, secondJoins).WaitAsync(ConnectTimeout);
        try
        {
            var buffers = TcpRingExchangeTests.RandomBuffers(new Random(3), 2, 10);
            var expected = buffers[0].Span[7] + buffers[1].Span[7];
            RingRun.AllReduce(exchanges, buffers);
            Assert.Equal(expected, buffers[0].Span[7]);
            Assert.Equal(expected, buffers[1].Span[7]);
        }
        finally
        {
            RingRun.DisposeAll(exchanges);
        }
    }

    [Fact]
    public async Task Should_refuse_a_peer_whose_ring_has_another_size_or_rank()
    {
        using var pair = await SocketPair.ConnectAsync();
        var left = RingHandshake.RunAsync(pair.Client, new RingHello(1, 0, 3, "s"), 1, "right neighbour", pair.Server.LocalEndPoint, CancellationToken.None);
        var right = RingHandshake.RunAsync(pair.Server, new RingHello(1, 2, 4, "s"), 0, "left neighbour", pair.Client.LocalEndPoint, CancellationToken.None);
        var problems = await Task.WhenAll(left, right).WaitAsync(ConnectTimeout);

        Assert.Contains("ring of 4 ranks, rank 0 in a ring of 3", problems[0], StringComparison.Ordinal);
        Assert.Contains("ring of 3 ranks, rank 2 in a ring of 4", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_report_the_refusal_of_the_peer_that_expected_another_rank()
    {
        using var pair = await SocketPair.ConnectAsync();

        // Rank 0 sees rank 1 as it expects; rank 1 expected rank 2 on its left, so only rank 1 can tell.
        var dialer = RingHandshake.RunAsync(pair.Client, new RingHello(1, 0, 3, "s"), 1, "right neighbour", pair.Server.LocalEndPoint, CancellationToken.None);
        var acceptor = RingHandshake.RunAsync(pair.Server, new RingHello(1, 1, 3, "s"), 2, "left neighbour", pair.Client.LocalEndPoint, CancellationToken.None);
        var problems = await Task.WhenAll(dialer, acceptor).WaitAsync(ConnectTimeout);

        Assert.Contains("rank 1 expected its left neighbour to be rank 2", problems[1], StringComparison.Ordinal);
        Assert.Contains("refused rank 0", problems[0], StringComparison.Ordinal);
        Assert.Contains("rank 1 expected its left neighbour to be rank 2", problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_accept_matching_neighbours()
    {
        using var pair = await SocketPair.ConnectAsync();
        var dialer = RingHandshake.RunAsync(pair.Client, new RingHello(1, 0, 2, "s"), 1, "right neighbour", pair.Server.LocalEndPoint, CancellationToken.None);
        var acceptor = RingHandshake.RunAsync(pair.Server, new RingHello(1, 1, 2, "s"), 0, "left neighbour", pair.Client.LocalEndPoint, CancellationToken.None);
        var problems = await Task.WhenAll(dialer, acceptor).WaitAsync(ConnectTimeout);
        Assert.All(problems, Assert.Null);
    }

    private sealed class SocketPair : IDisposable
    {
        private SocketPair(Socket client, Socket server)
        {
            Client = client;
            Server = server;
        }

        public Socket Client { get; }

        public Socket Server { get; }

        public static async Task<SocketPair> ConnectAsync()
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(listener.LocalEndPoint!);
            var server = await listener.AcceptAsync().WaitAsync(ConnectTimeout);
            return new SocketPair(client, server);
        }

        public void Dispose()
        {
            Client.Dispose();
            Server.Dispose();
        }
    }
}
