using System.Numerics;
using ClusterTrainer.Core;

namespace ClusterTrainer.Exchange;

/// <summary>
/// Shared-memory all-reduce for workers that live in one process. Each member reduces its own slice of
/// the vector across every member's buffer and writes the sum back into all of them (reduce-scatter and
/// all-gather in one pass), so the work is split evenly and nothing is serialised or copied.
/// </summary>
public sealed class InProcessExchangeGroup : IDisposable
{
    private readonly Barrier _barrier;
    // Each member's published buffer of the call in progress: a GradientBuffer (float), a long[] (exact) or a Bf16Vector.
    private readonly object?[] _buffers;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _aborted = new();
    private string? _abortReason;

    public InProcessExchangeGroup(int worldSize, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        WorldSize = worldSize;
        _timeout = timeout;
        _buffers = new object?[worldSize];
        _barrier = new Barrier(worldSize);
        Members = Enumerable.Range(0, worldSize).Select(rank => (IGradientExchange)new Member(this, rank)).ToArray();
    }

    public int WorldSize { get; }

    public IReadOnlyList<IGradientExchange> Members { get; }

    /// <summary>Releases every member waiting in an exchange with an error (a worker failed or the job stopped).</summary>
    public void Abort(string reason)
    {
        _abortReason ??= reason;
        _aborted.Cancel();
    }

    public void Dispose()
    {
        _aborted.Cancel();
        _barrier.Dispose();
        _aborted.Dispose();
    }

    private void AllReduce(int rank, object buffer, CancellationToken cancellationToken)
    {
        if (WorldSize == 1)
        {
            return;
        }

        _buffers[rank] = buffer;
        Rendezvous(rank, "publish", cancellationToken);

        var length = LengthOf(buffer);
        for (var other = 0; other < WorldSize; other++)
        {
            var theirs = _buffers[other]!;
            if (theirs.GetType() != buffer.GetType())
            {
                Abort($"worker {other} sums {KindOf(theirs)} values, worker {rank} {KindOf(buffer)} values (are the workers' --deterministic and --exchange-precision settings the same?)");
                throw new ExchangeFailedException(_abortReason!);
            }

            if (LengthOf(theirs) != length)
            {
                Abort($"worker {other} has {LengthOf(theirs)} gradient values, worker {rank} has {length}");
                throw new ExchangeFailedException(_abortReason!);
            }
        }

        var (offset, count) = EpochPlan.Split(length, WorldSize, rank);
        if (buffer is GradientBuffer)
        {
            ReduceSlice(_buffers.Cast<GradientBuffer>().ToArray(), offset, count);
        }
        else if (buffer is Compact.Bf16Vector)
        {
            ReduceSlice(_buffers.Cast<Compact.Bf16Vector>().ToArray(), offset, count);
        }
        else
        {
            ReduceSlice(_buffers.Cast<long[]>().ToArray(), offset, count);
        }

        Rendezvous(rank, "reduce", cancellationToken);
        _buffers[rank] = null;
    }

    private static int LengthOf(object buffer) => buffer switch
    {
        GradientBuffer floats => floats.Length,
        Compact.Bf16Vector halves => halves.Length,
        _ => ((long[])buffer).Length,
    };

    private static string KindOf(object buffer) => buffer switch
    {
        GradientBuffer => "float32",
        Compact.Bf16Vector => "bf16",
        _ => "int64",
    };

    private void Rendezvous(int rank, string phase, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _aborted.Token);
        bool arrived;
        try
        {
            arrived = _barrier.SignalAndWait(_timeout, linked.Token);
        }
        catch (OperationCanceledException)
        {
            throw new ExchangeFailedException($"all-reduce aborted in phase '{phase}' on worker {rank}: {_abortReason ?? "cancelled"}");
        }
        catch (ObjectDisposedException)
        {
            throw new ExchangeFailedException($"all-reduce group closed while worker {rank} waited in phase '{phase}'");
        }

        if (!arrived)
        {
            Abort($"worker {rank} waited {_timeout.TotalSeconds:0.#} s in phase '{phase}' for the other workers");
            throw new ExchangeFailedException(_abortReason!);
        }
    }

    internal static void ReduceSlice(GradientBuffer[] buffers, int offset, int count)
    {
        var first = buffers[0].Span.Slice(offset, count);
        var width = Vector<float>.Count;
        var i = 0;
        for (; i <= count - width; i += width)
        {
            var sum = new Vector<float>(first[i..]);
            for (var k = 1; k < buffers.Length; k++)
            {
                sum += new Vector<float>(buffers[k].Span.Slice(offset + i, width));
            }

            for (var k = 0; k < buffers.Length; k++)
            {
                sum.CopyTo(buffers[k].Span.Slice(offset + i, width));
            }
        }

        for (; i < count; i++)
        {
            var sum = 0f;
            for (var k = 0; k < buffers.Length; k++)
            {
                sum += buffers[k].Span[offset + i];
            }

            for (var k = 0; k < buffers.Length; k++)
            {
                buffers[k].Span[offset + i] = sum;
            }
        }
    }

    /// <summary>The int64 twin of the float reduction: integer addition, so the sum is exact and order-free.</summary>
    internal static void ReduceSlice(long[][] buffers, int offset, int count)
    {
        var width = Vector<long>.Count;
        var i = 0;
        for (; i <= count - width; i += width)
        {
            var sum = new Vector<long>(buffers[0], offset + i);
            for (var k = 1; k < buffers.Length; k++)
            {
                sum += new Vector<long>(buffers[k], offset + i);
            }

            for (var k = 0; k < buffers.Length; k++)
            {
                sum.CopyTo(buffers[k], offset + i);
            }
        }

        for (; i < count; i++)
        {
            var sum = 0L;
            for (var k = 0; k < buffers.Length; k++)
            {
                sum += buffers[k][offset + i];
            }

            for (var k = 0; k < buffers.Length; k++)
            {
                buffers[k][offset + i] = sum;
            }
        }
    }

    /// <summary>
    /// The bfloat16 reduction: summed in float32 in rank order and rounded once (no wire here, so no rounding per hop
    /// as in the ring; the result is what the workers' bf16 gradients sum to).
    /// </summary>
    internal static void ReduceSlice(Compact.Bf16Vector[] buffers, int offset, int count)
    {
        for (var i = offset; i < offset + count; i++)
        {
            var sum = 0f;
            foreach (var buffer in buffers)
            {
                sum += Compact.Bf16Vector.ToFloat(buffer.Values[i]);
            }

            var rounded = Compact.Bf16Vector.ToBf16(sum);
            foreach (var buffer in buffers)
            {
                buffer.Values[i] = rounded;
            }
        }
    }

    private sealed class Member(InProcessExchangeGroup group, int rank) : IGradientExchange
    {
        public int Rank => rank;

        public int WorldSize => group.WorldSize;

        public void AllReduceSum(GradientBuffer buffer, CancellationToken cancellationToken) =>
            group.AllReduce(rank, buffer, cancellationToken);

        public void AllReduceSum(long[] values, CancellationToken cancellationToken) =>
            group.AllReduce(rank, values, cancellationToken);

        public void AllReduceSum(Compact.Bf16Vector values, CancellationToken cancellationToken) =>
            group.AllReduce(rank, values, cancellationToken);
    }
}
