namespace ClusterTrainer.Core;

/// <summary>
/// Which samples each worker trains on in each step of one epoch. A pure function of
/// (seed, epoch, dataset size, global batch, workers): every worker and the coordinator can compute it,
/// and it does not depend on timing.
/// </summary>
/// <remarks>
/// The epoch's order is a seeded permutation that does not depend on the number of workers; it is cut
/// into global batches of <c>batchSize</c>, and each global batch is split as evenly as possible across
/// the workers. So the samples of step k are the same whatever the world size, and N workers compute
/// exactly the batch one worker would (the last, smaller batch included): results do not change when a
/// job is scaled.
/// </remarks>
public sealed class EpochPlan
{
    private readonly int[] _order;

    /// <param name="microBatch">
    /// Deal each global batch to the workers as whole micro-batches of this size (<c>--deterministic</c>, see
    /// <see cref="MicroBatches"/>); null splits it sample by sample.
    /// </param>
    public EpochPlan(int seed, int epoch, int datasetSize, int batchSize, int workers, int? microBatch = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(datasetSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        if (microBatch is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(microBatch));
        }

        MicroBatch = microBatch;
        Seed = seed;
        Epoch = epoch;
        DatasetSize = datasetSize;
        BatchSize = batchSize;
        Workers = workers;
        _order = Permutation(seed, epoch, datasetSize);
        StepCount = (datasetSize + batchSize - 1) / batchSize;
    }

    public int Seed { get; }

    public int Epoch { get; }

    public int DatasetSize { get; }

    public int BatchSize { get; }

    public int Workers { get; }

    public int StepCount { get; }

    /// <summary>The micro-batch size whole micro-batches of which each worker gets, or null for an even split of samples.</summary>
    public int? MicroBatch { get; }

    /// <summary>The whole global batch of a step, in order.</summary>
    public ReadOnlySpan<int> GlobalBatch(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(step, StepCount);
        var start = step * BatchSize;
        return _order.AsSpan(start, Math.Min(BatchSize, DatasetSize - start));
    }

    /// <summary>The samples worker <paramref name="rank"/> trains on in <paramref name="step"/>; may be empty for a small last batch.</summary>
    public int[] Assignment(int step, int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, Workers);
        var batch = GlobalBatch(step);
        var (offset, count) = MicroBatch is { } size
            ? MicroBatches.DealtTo(batch.Length, size, Workers, rank)
            : Split(batch.Length, Workers, rank);
        return batch.Slice(offset, count).ToArray();
    }

    /// <summary>Even split of <paramref name="total"/> items over <paramref name="parts"/>: the first total % parts get one more.</summary>
    public static (int Offset, int Count) Split(int total, int parts, int index)
    {
        var baseCount = total / parts;
        var extra = total % parts;
        var count = baseCount + (index < extra ? 1 : 0);
        var offset = (index * baseCount) + Math.Min(index, extra);
        return (offset, count);
    }

    private static int[] Permutation(int seed, int epoch, int size)
    {
        var order = new int[size];
        for (var i = 0; i < size; i++)
        {
            order[i] = i;
        }

        // The epoch is mixed into the seed so that each epoch gets its own order and any epoch can be
        // recomputed alone (a resumed job does not replay earlier epochs to reach it).
        var random = new Random(SeedMixer.Mix(seed, epoch));
        random.Shuffle(order);
        return order;
    }
}
