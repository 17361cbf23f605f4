namespace ClusterTrainer.Core;

/// <summary>
/// The fixed decomposition of a global batch that <c>--deterministic</c> trains on: consecutive micro-batches of a
/// size that does not depend on the number of workers (the last may be shorter), dealt to the workers as whole
/// micro-batches. Each micro-batch's gradient is computed alone, so it has the same bits on whichever worker, in
/// whichever world, computes it; only the exact sum of the micro-batch gradients then remains.
/// </summary>
public static class MicroBatches
{
    public static int Count(int batch, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        return (batch + size - 1) / size;
    }

    /// <summary>
    /// The samples [offset, offset + count) of a global batch of <paramref name="batch"/> that worker
    /// <paramref name="rank"/> of <paramref name="workers"/> trains on: a run of whole micro-batches, split as evenly
    /// as micro-batches allow (a worker may get none when there are more workers than micro-batches).
    /// </summary>
    public static (int Offset, int Count) DealtTo(int batch, int size, int workers, int rank)
    {
        var (first, count) = EpochPlan.Split(Count(batch, size), workers, rank);
        var start = Math.Min(batch, first * size);
        var end = Math.Min(batch, (first + count) * size);
        return (start, end - start);
    }

    /// <summary>
    /// The micro-batches within one worker's share of <paramref name="samples"/> (from <see cref="DealtTo"/>): only the
    /// last micro-batch of a global batch is short and it is always the last of its worker's share, so cutting every
    /// <paramref name="size"/> samples finds the same micro-batches in any world.
    /// </summary>
    public static IEnumerable<(int Offset, int Count)> Within(int samples, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        for (var offset = 0; offset < samples; offset += size)
        {
            yield return (offset, Math.Min(size, samples - offset));
        }
    }
}
