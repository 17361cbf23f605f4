using System.Runtime.InteropServices;
using ClusterTrainer.Core.Threading;

namespace ClusterTrainer.Core.Exchange.Tcp;

/// <summary>
/// One node's end of a ring all-reduce over TCP: reduce-scatter then all-gather, so each node sends and receives
/// 2(N-1)/N of the buffer per call whatever N. Sending runs on a thread of its own while the calling thread
/// receives and reduces, chunk by chunk, so a ring never deadlocks on full socket buffers and a chunk is forwarded
/// while the next one is still arriving. Made by <see cref="TcpRingEndpoint.ConnectAsync"/>.
/// </summary>
/// <remarks>
/// The first failure (a timeout, a closed or refused connection, a protocol mismatch, a cancellation, disposal)
/// breaks the exchange for good: its sockets are closed at once, so the neighbours fail fast on end-of-stream rather
/// than at their timeouts, and every later call throws the same error. The control plane then rebuilds the ring.
/// </remarks>
public sealed class TcpRingExchange : IGradientExchange, IAsyncDisposable, IDisposable
{
    private readonly TcpRingOptions _options;
    private readonly RingLink? _right;
    private readonly RingLink? _left;
    private readonly DedicatedThread? _sender;

    // Counts chunks the receiver has finished and the sender may forward (see RingSchedule's remarks).
    private readonly SemaphoreSlim _forwardable = new(0);
    private readonly CancellationTokenSource _broken = new();
    private readonly Lock _gate = new();
    private readonly float[] _incoming;
    private string? _failure;
    private long _calls;
    private int _disposed;

    internal TcpRingExchange(int rank, int worldSize, TcpRingOptions options, RingLink? right, RingLink? left)
    {
        Rank = rank;
        WorldSize = worldSize;
        _options = options;
        _right = right;
        _left = left;
        _incoming = worldSize == 1 ? [] : new float[options.ChunkBytes / sizeof(float)];
        _sender = worldSize == 1 ? null : new DedicatedThread($"ring-send-{rank}");
    }

    public int Rank { get; }

    public int WorldSize { get; }

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

        var schedule = new RingSchedule(Rank, WorldSize, buffer.Length);
        var call = ++_calls;
        using var cancellation = cancellationToken.Register(() => Break($"rank {Rank}: the all-reduce was cancelled"));
        Task? sending = null;
        try
        {
            sending = _sender!.Run(() => BreakOnFailure(() => SendAll(schedule, buffer, call)));
            ReceiveAll(schedule, buffer, call);
            // Not the caller's token: a cancellation has already closed the sockets, which ends the sender quickly.
            if (!sending.Wait(_options.IoTimeout, CancellationToken.None))
            {
                Break(_right!.Describe("the last step", $"sending did not finish within {_options.IoTimeout.TotalSeconds:0.###} s"));
            }
        }
        catch (Exception error) when (error is ExchangeFailedException or AggregateException or ObjectDisposedException or InvalidOperationException)
        {
            Break(Innermost(error).Message);
        }
        finally
        {
            // The sender reads the caller's buffer; it must be off it before the caller may free or reuse it.
            // After a failure the sockets are closed, so it stops within moments.
            WaitQuietly(sending);
        }

        ThrowIfBroken();
    }

    public void Dispose()
    {
        Break($"the exchange on rank {Rank} was disposed");
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _sender?.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void SendAll(RingSchedule schedule, GradientBuffer buffer, long call)
    {
        Span<byte> header = stackalloc byte[RingCallHeader.Bytes];
        RingCallHeader.Write(header, call, buffer.Length);
        _right!.Send(header, "the call header");

        var chunk = _incoming.Length;
        for (var step = 0; step < schedule.StepCount; step++)
        {
            var (offset, count) = schedule.Segment(schedule.SendSegment(step));
            for (var done = 0; done < count; done += chunk)
            {
                if (step > 0)
                {
                    AwaitForwardable(schedule, step);
                }

                var values = buffer.Span.Slice(offset + done, Math.Min(chunk, count - done));
                _right.Send(MemoryMarshal.AsBytes(values), schedule.Describe(step));
            }
        }
    }

    private void ReceiveAll(RingSchedule schedule, GradientBuffer buffer, long call)
    {
        Span<byte> header = stackalloc byte[RingCallHeader.Bytes];
        _left!.Receive(header, "the call header");
        var mismatch = RingCallHeader.Check(header, call, buffer.Length, Rank);
        if (mismatch is not null)
        {
            throw new ExchangeFailedException(_left.Describe("the call header", mismatch));
        }

        var chunk = _incoming.Length;
        for (var step = 0; step < schedule.StepCount; step++)
        {
            var (offset, count) = schedule.Segment(schedule.ReceiveSegment(step));
            var forwarded = step < schedule.StepCount - 1;
            for (var done = 0; done < count; done += chunk)
            {
                var target = buffer.Span.Slice(offset + done, Math.Min(chunk, count - done));
                if (schedule.IsReduceStep(step))
                {
                    var incoming = _incoming.AsSpan(0, target.Length);
                    _left.Receive(MemoryMarshal.AsBytes(incoming), schedule.Describe(step));
                    FloatAddition.AddInto(target, incoming);
                }
                else
                {
                    // All-gather values are final sums: they land in the buffer with no extra copy.
                    _left.Receive(MemoryMarshal.AsBytes(target), schedule.Describe(step));
                }

                if (forwarded)
                {
                    _forwardable.Release();
                }
            }
        }
    }

    // The receiver may be blocked on the left neighbour; breaking here closes its socket so it learns at once.
    private void BreakOnFailure(Action send)
    {
        try
        {
            send();
        }
        catch (ExchangeFailedException error)
        {
            Break(error.Message);
            throw;
        }
    }

    private void AwaitForwardable(RingSchedule schedule, int step)
    {
        // The receiver's own reads time out after IoTimeout and break the exchange, which cancels this wait with the
        // receiver's more precise error; the longer bound here only guards against a receiver that is stuck.
        bool ready;
        try
        {
            ready = _forwardable.Wait(2 * _options.IoTimeout, _broken.Token);
        }
        catch (OperationCanceledException)
        {
            throw new ExchangeFailedException(Failure ?? $"rank {Rank}: the exchange broke");
        }

        if (!ready)
        {
            throw new ExchangeFailedException(_left!.Describe(
                schedule.Describe(step),
                $"nothing to forward for {2 * _options.IoTimeout.TotalSeconds:0.###} s"));
        }
    }

    /// <summary>Records the first failure and closes the sockets, which unblocks both threads of a call in flight.</summary>
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

        _broken.Cancel();
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

    private void WaitQuietly(Task? sending)
    {
        try
        {
            sending?.Wait(_options.IoTimeout, CancellationToken.None);
        }
        catch (AggregateException)
        {
            // Its failure was recorded (or superseded by the receiver's) already.
        }
    }

    private static Exception Innermost(Exception error) =>
        error is AggregateException aggregate ? aggregate.Flatten().InnerExceptions[0] : error;
}
