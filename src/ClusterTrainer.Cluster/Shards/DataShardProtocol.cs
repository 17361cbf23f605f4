using ClusterTrainer.Data;

namespace ClusterTrainer.Cluster.Shards;

/// <summary>Ask a shard for samples by their global indices (all must belong to that shard).</summary>
public sealed record FetchSamples(long RequestId, int[] Indices);

/// <summary>Ask a shard for the samples [Start, Start + Count) of its dataset, in order (evaluation).</summary>
public sealed record FetchRange(long RequestId, int Start, int Count);

public sealed record SamplesServed(long RequestId, SampleBatch Batch);

public sealed record SamplesRefused(long RequestId, string Reason);
