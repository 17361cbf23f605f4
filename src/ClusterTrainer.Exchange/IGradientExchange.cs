namespace ClusterTrainer.Exchange;

/// <summary>
/// One worker's end of a synchronous all-reduce. Every worker calls <see cref="AllReduceSum"/> once per
/// step with its own buffer; when the call returns, every buffer holds the element-wise sum over all
/// workers. Workers scale their loss by 1 / (global batch size) before backward, so the sum is the
/// sample-weighted average gradient, uneven batches included.
/// </summary>
/// <remarks>
/// Implementations are in-process (shared memory) or over the network; both sit behind this interface.
/// A call never waits forever: it throws <see cref="ExchangeFailedException"/> on timeout, on a peer's
/// failure or when the group is aborted.
/// </remarks>
public interface IGradientExchange
{
    int Rank { get; }

    int WorldSize { get; }

    void AllReduceSum(GradientBuffer buffer, CancellationToken cancellationToken);

    /// <summary>
    /// The same all-reduce over int64 values, whose sum is exact and independent of the order the ring adds them in:
    /// what <c>--deterministic</c> sends (fixed-point gradients, see <see cref="Exact.FixedPointSum"/>). Every worker
    /// of a call must pass the same number of values; overflow wraps, so callers keep sums in range.
    /// </summary>
    void AllReduceSum(long[] values, CancellationToken cancellationToken);

    /// <summary>
    /// The all-reduce over bfloat16 values (<c>--exchange-precision bf16</c>): half the bytes of float32 on the wire,
    /// each partial sum rounded to bfloat16. Every worker of a call must pass the same number of values.
    /// </summary>
    void AllReduceSum(Compact.Bf16Vector values, CancellationToken cancellationToken);
}
