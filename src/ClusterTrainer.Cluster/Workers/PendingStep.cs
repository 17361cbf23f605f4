using ClusterTrainer.Data;

namespace ClusterTrainer.Cluster.Workers;

/// <summary>A step the worker has been given: its samples arrive from one or more shards, in parts.</summary>
/// <param name="parts">The sample indices of each part (request), as <see cref="Shards.ShardMap.Split"/> made them.</param>
internal sealed class PendingStep(StartStep command, IReadOnlyList<int[]> parts)
{
    private readonly SampleBatch?[] _parts = new SampleBatch?[parts.Count];
    private int _received;

    public StartStep Command { get; } = command;

    public bool Ready => _received == _parts.Length;

    public void Receive(int part, SampleBatch batch)
    {
        if (_parts[part] is null)
        {
            _received++;
        }

        _parts[part] = batch;
    }

    /// <summary>
    /// The step's samples in assignment order. Parts come grouped by shard; the order matters to
    /// <c>--deterministic</c>, whose micro-batches are runs of the assignment, whatever shards serve them.
    /// </summary>
    public SampleBatch Assemble()
    {
        if (_parts.Length == 0)
        {
            return new SampleBatch(null, null, []);
        }

        var joined = SampleBatch.Concat(_parts.Select(p => p!).ToArray());
        if (_parts.Length == 1)
        {
            return joined;
        }

        var positionOf = new Dictionary<int, int>(joined.Count);
        var position = 0;
        foreach (var index in parts.SelectMany(p => p))
        {
            positionOf[index] = position++;
        }

        return joined.Pick(Command.Assignment.Select(index => positionOf[index]).ToArray());
    }
}
