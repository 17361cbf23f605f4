using ClusterTrainer.Data;

namespace ClusterTrainer.Cluster.Shards;

/// <summary>Ask a shard for samples by their global indices (all must belong to that shard).</summary>
public sealed record FetchSamples(long RequestId, int[] Indices)
{
    /// <summary>
    /// Most samples one request may ask for: 96 Fashion-MNIST images are 75 kB, well under Akka.Remote's
    /// 128 kB frame, so a reply never has to be split or dropped; larger needs are sent as several requests.
    /// </summary>
    public const int MaxSamples = 96;
}

/// <summary>Ask a shard for the samples [Start, Start + Count) of its dataset, in order (evaluation).</summary>
public sealed record FetchRange(long RequestId, int Start, int Count);

public sealed record SamplesServed(long RequestId, SampleBatch Batch);

public sealed record SamplesRefused(long RequestId, string Reason);
