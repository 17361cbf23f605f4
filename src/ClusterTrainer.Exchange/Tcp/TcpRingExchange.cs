namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// One node's end of a ring all-reduce over TCP: reduce-scatter then all-gather, so each node sends and receives
/// 2(N-1)/N of the buffer per call whatever N. The calling thread drives both links with non-blocking calls
/// (<see cref="RingPump"/>): it receives and reduces whatever has arrived and forwards whatever is final, chunk by
/// chunk, so a chunk moves on while the next one is still arriving. Made by <see cref="TcpRingEndpoint.ConnectAsync"/>.
/// </summary>
/// <remarks>
/// The first failure (a timeout, a closed or refused connection, a protocol mismatch, a cancellation, disposal)
/// breaks the exchange for good: its sockets are closed at once, so the neighbours fail fast on end-of-stream rather
/// than at their timeouts, and every later call throws the same error. The control plane then rebuilds the ring.
/// </remarks>
public sealed class TcpRingExchange : IGradientExchange, IExchangeTraffic, IAsyncDisposable, IDisposable
{
    private readonly TcpRingOptions _options;
    private readonly RingLink? _right;
    private readonly RingLink? _left;
    private readonly Lock _gate = new();
    private readonly byte[] _scratch;
    private byte[]? _streamScratch;
    private string? _failure;
    private long _calls;

    internal TcpRingExchange(int rank, int worldSize, TcpRingOptions options, RingLink? right, RingLink? left)
    {
        Rank = rank;
        WorldSize = worldSize;
        _options = options;
        _right = right;
        _left = left;
        _scratch = worldSize == 1 ? [] : new byte[options.ChunkBytes];
    }

    public int Rank { get; }

    public int WorldSize { get; }

    public long BytesSent => _right?.BytesSent ?? 0;

    public long BytesReceived => _left?.BytesReceived ?? 0;

    /// <summary>Why the exchange is broken, or null while it works.</summary>
    public string? Failure => Volatile.Read(ref _failure);

    public void AllReduceSum(GradientBuffer buffer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ThrowIfBroken();
        if (WorldSize == 1)
        {
            return;
        }

        Reduce(RingVector.Of(buffer), cancellationToken);
    }

    public void AllReduceSum(long[] values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        ThrowIfBroken();
        if (WorldSize == 1)
        {
            return;
        }

        Reduce(RingVector.Of(values), cancellationToken);
    }

    public void AllReduceSum(Compact.Bf16Vector values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        ThrowIfBroken();
        if (WorldSize == 1)
        {
            return;
        }

        Reduce(RingVector.Of(values), cancellationToken);
    }

    private void Reduce(RingVector vector, CancellationToken cancellationToken) => Run(vector, RingPhase.AllReduce, cancellationToken);

    /// <summary>
    /// One ring call on <paramref name="vector"/>: the whole all-reduce or one half of it (every rank must run the same).
    /// After a reduce-scatter this rank holds the full sum of segment <see cref="RingSchedule.OwnedSegment"/> only.
    /// </summary>
    internal void Run(RingVector vector, RingPhase phase, CancellationToken cancellationToken)
    {
        ThrowIfBroken();
        if (WorldSize == 1)
        {
            return;
        }

        var schedule = vector.ScheduleFor(Rank, WorldSize) with { Phase = phase };
        var call = new RingAllReduceCall(schedule, vector, _scratch, _options.ChunkBytes, ++_calls, _left!.Describe);
        Pump(call, call, cancellationToken);
    }

    /// <summary>The elements [offset, offset + count) whose full sum this rank holds after a reduce-scatter of <paramref name="vector"/>.</summary>
    internal (int Offset, int Count) OwnedAfterReduceScatter(RingVector vector)
    {
        var schedule = vector.ScheduleFor(Rank, WorldSize);
        return schedule.Segment(schedule.OwnedSegment);
    }

    /// <summary>
    /// Sends <paramref name="bytes"/> to the right neighbour while as many arrive from the left, through the same links
    /// and loop as <see cref="AllReduceSum"/> but with nothing to add and nothing to wait for: the most the ring's
    /// links can move at once, the baseline `bench --exchange` compares the all-reduce with. Every rank must call it.
    /// </summary>
    public void Stream(int bytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ThrowIfBroken();
        if (WorldSize == 1)
        {
            return;
        }

        _streamScratch ??= new byte[_options.ChunkBytes];
        var call = new RingStreamCall(bytes, _streamScratch, ++_calls, Rank, _left!.Describe);
        Pump(call, call, cancellationToken);
    }

    public void Dispose() => Break($"the exchange on rank {Rank} was disposed");

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Pump(IRingOutgoing outgoing, IRingIncoming incoming, CancellationToken cancellationToken)
    {
        using var cancellation = cancellationToken.Register(() => Break($"rank {Rank}: the all-reduce was cancelled"));
        try
        {
            RingPump.Run(_right!, _left!, outgoing, incoming, _options.IoTimeout);
        }
        catch (Exception error) when (error is ExchangeFailedException or ObjectDisposedException or InvalidOperationException)
        {
            // A cancellation or disposal closes the sockets under the pump; its error then only echoes that cause.
            Break(error.Message);
        }

        ThrowIfBroken();
    }

    /// <summary>Records the first failure and closes the sockets, which ends a call in flight within one wait slice.</summary>
    private void Break(string reason)
    {
        lock (_gate)
        {
            if (_failure is not null)
            {
                return;
            }

            Volatile.Write(ref _failure, reason);
        }

        _right?.Dispose();
        _left?.Dispose();
    }

    private void ThrowIfBroken()
    {
        var failure = Failure;
        if (failure is not null)
        {
            throw new ExchangeFailedException($"all-reduce failed: {failure}");
        }
    }
}
