namespace ClusterTrainer.Cluster.Coordination;

/// <summary>
/// Splits the test set into fixed chunks dealt round-robin to the workers. A chunk's samples are always
/// evaluated together, in the same order, whatever the number of workers, so the logits - and the test
/// accuracy - do not depend on how many workers share the evaluation.
/// </summary>
public static class EvaluationPlan
{
    public const int ChunkSize = 500;

    public static IReadOnlyList<(int Start, int Count)> ChunksFor(int testSize, int workers, int rank, int chunkSize = ChunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var chunks = new List<(int, int)>();
        var chunkCount = (testSize + chunkSize - 1) / chunkSize;
        for (var c = rank; c < chunkCount; c += workers)
        {
            var start = c * chunkSize;
            chunks.Add((start, Math.Min(chunkSize, testSize - start)));
        }

        return chunks;
    }
}
