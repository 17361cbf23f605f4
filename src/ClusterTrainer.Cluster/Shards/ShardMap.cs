using ClusterTrainer.Core;

namespace ClusterTrainer.Cluster.Shards;

/// <summary>
/// Which shard owns which samples: shard s owns a contiguous range of the dataset. Splits a worker's
/// assignment into one request per shard while remembering where each sample goes back.
/// </summary>
public sealed class ShardMap
{
    private readonly int[] _starts;

    public ShardMap(int datasetSize, int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        DatasetSize = datasetSize;
        ShardCount = shards;
        _starts = new int[shards + 1];
        for (var s = 0; s < shards; s++)
        {
            _starts[s] = EpochPlan.Split(datasetSize, shards, s).Offset;
        }

        _starts[shards] = datasetSize;
    }

    public int DatasetSize { get; }

    public int ShardCount { get; }

    public (int Start, int Count) Range(int shard) => (_starts[shard], _starts[shard + 1] - _starts[shard]);

    public int OwnerOf(int index)
    {
        if ((uint)index >= (uint)DatasetSize)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"sample index outside 0..{DatasetSize - 1}");
        }

        var position = Array.BinarySearch(_starts, 0, ShardCount, index);
        if (position >= 0)
        {
            // Skip empty shards that start at the same index.
            while (position + 1 < ShardCount && _starts[position + 1] == index)
            {
                position++;
            }

            return position;
        }

        return ~position - 1;
    }

    /// <summary>The indices each shard must serve, in assignment order, in requests of at most <paramref name="maxPerRequest"/>.</summary>
    public IReadOnlyList<(int Shard, int[] Indices)> Split(int[] assignment, int maxPerRequest = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        var perShard = new List<int>?[ShardCount];
        foreach (var index in assignment)
        {
            var owner = OwnerOf(index);
            (perShard[owner] ??= []).Add(index);
        }

        var requests = new List<(int, int[])>();
        for (var s = 0; s < ShardCount; s++)
        {
            if (perShard[s] is { } list)
            {
                requests.AddRange(list.Chunk(maxPerRequest).Select(chunk => (s, chunk)));
            }
        }

        return requests;
    }
}
