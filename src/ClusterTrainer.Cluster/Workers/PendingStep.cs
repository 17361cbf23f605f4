using ClusterTrainer.Data;

namespace ClusterTrainer.Cluster.Workers;

/// <summary>A step the worker has been given: its samples arrive from one or more shards, in parts.</summary>
internal sealed class PendingStep(StartStep command, int partCount)
{
    private readonly SampleBatch?[] _parts = new SampleBatch?[partCount];
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

    public SampleBatch Assemble() => _parts.Length == 0
        ? new SampleBatch(null, null, [])
        : SampleBatch.Concat(_parts.Select(p => p!).ToArray());
}
