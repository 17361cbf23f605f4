using System.Net;
using System.Net.Sockets;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// First half of joining a TCP ring: a bound listener whose address the control plane collects and distributes.
/// Once every rank knows the ring's addresses, <see cref="ConnectAsync"/> links this rank to both neighbours.
/// </summary>
public sealed class TcpRingEndpoint : IDisposable
{
    private readonly Socket _listener;
    private int _connecting;

    private TcpRingEndpoint(Socket listener, TcpRingOptions options)
    {
        _listener = listener;
        Options = options;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
    }

    /// <summary>The address the listener actually got (the real port when 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; }

    public TcpRingOptions Options { get; }

    /// <param name="port">0 lets the system pick a free port; read it back from <see cref="EndPoint"/>.</param>
    public static TcpRingEndpoint Bind(IPAddress host, int port, TcpRingOptions options)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        options.Validate();
        var listener = RingSockets.Create(host.AddressFamily, options);
        try
        {
            listener.Bind(new IPEndPoint(host, port));
            listener.Listen(16);
            return new TcpRingEndpoint(listener, options);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connects to the right neighbour, ring[(rank + 1) % N], and accepts the left one, ring[(rank - 1 + N) % N], both
    /// at once and each retried until <paramref name="timeout"/>. Closes the listener: a ring is joined once.
    /// </summary>
    /// <param name="ring">Every rank's <see cref="EndPoint"/>, indexed by rank, as the control plane distributed them.</param>
    /// <exception cref="ExchangeFailedException">A neighbour was unreachable in time or refused the handshake.</exception>
    public async Task<TcpRingExchange> ConnectAsync(int rank, IReadOnlyList<IPEndPoint> ring, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentOutOfRangeException.ThrowIfZero(ring.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, ring.Count);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        if (ring.Any(endPoint => endPoint is null))
        {
            throw new ArgumentException("every rank needs an address", nameof(ring));
        }

        // Gradients travel as raw float bytes; a big-endian host would need a conversion the protocol does not have.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the TCP ring exchange needs a little-endian host");
        }

        if (Interlocked.Exchange(ref _connecting, 1) != 0)
        {
            throw new InvalidOperationException("ConnectAsync was already called on this endpoint");
        }

        using var listener = _listener;
        var worldSize = ring.Count;
        if (worldSize == 1)
        {
            return new TcpRingExchange(rank, 1, Options, right: null, left: null);
        }

        var rightRank = (rank + 1) % worldSize;
        var leftRank = (rank - 1 + worldSize) % worldSize;
        var local = new RingHello(RingHello.CurrentVersion, rank, worldSize, Options.SessionId);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var dialing = RingDialer.ConnectAsync(local, rightRank, ring[rightRank], Options, timeout, deadline.Token);
        var accepting = RingAcceptor.AcceptAsync(_listener, local, leftRank, ring[leftRank], timeout, deadline.Token);
        var first = await Task.WhenAny(dialing, accepting).ConfigureAwait(false);
        var second = first == dialing ? accepting : dialing;
        if (first.IsCompletedSuccessfully)
        {
            await ((Task)second).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // The first task to fail is the cause; the other then stops only because it is cancelled on its account.
        var failed = !first.IsCompletedSuccessfully ? first : !second.IsCompletedSuccessfully ? second : null;
        if (failed is not null)
        {
            var timedOut = deadline.IsCancellationRequested;
            await deadline.CancelAsync().ConfigureAwait(false);
            await ((Task)Task.WhenAll(dialing, accepting)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            DisposeSocket(dialing);
            DisposeSocket(accepting);
            cancellationToken.ThrowIfCancellationRequested();
            if (timedOut && dialing.Exception is { } dialError && accepting.Exception is { } acceptError)
            {
                // Both sides ran out of time on their own, and each knows something (say, a refused stray) the other does not.
                throw new ExchangeFailedException($"{dialError.InnerException?.Message}; {acceptError.InnerException?.Message}");
            }

            await failed.ConfigureAwait(false);
        }

        var right = new RingLink(dialing.Result, rank, "right neighbour", rightRank, ring[rightRank]);
        var left = new RingLink(accepting.Result, rank, "left neighbour", leftRank, ring[leftRank]);
        return new TcpRingExchange(rank, worldSize, Options, right, left);
    }

    public void Dispose() => _listener.Dispose();

    private static void DisposeSocket(Task<Socket> task)
    {
        if (task.IsCompletedSuccessfully)
        {
            task.Result.Dispose();
        }
    }
}
