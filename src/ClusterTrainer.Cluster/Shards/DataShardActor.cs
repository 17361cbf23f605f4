using Akka.Actor;
using ClusterTrainer.Data;

namespace ClusterTrainer.Cluster.Shards;

/// <summary>
/// Owns one contiguous shard of a dataset and serves its samples as raw bytes plus labels.
/// It never decides who trains on what: it answers requests.
/// </summary>
public sealed class DataShardActor : ReceiveActor
{
    public DataShardActor(Dataset dataset, int start, int count)
    {
        Receive<FetchSamples>(request =>
        {
            foreach (var index in request.Indices)
            {
                if (index < start || index >= start + count)
                {
                    Sender.Tell(new SamplesRefused(request.RequestId, $"sample {index} is not in this shard ({start}..{start + count - 1})"));
                    return;
                }
            }

            Sender.Tell(new SamplesServed(request.RequestId, SampleBatch.Gather(dataset, request.Indices)));
        });

        Receive<FetchRange>(request =>
        {
            if (request.Start < start || request.Count < 0 || request.Start + request.Count > start + count)
            {
                Sender.Tell(new SamplesRefused(request.RequestId, $"range {request.Start}+{request.Count} is not in this shard ({start}..{start + count - 1})"));
                return;
            }

            Sender.Tell(new SamplesServed(request.RequestId, SampleBatch.Range(dataset, request.Start, request.Count)));
        });
    }

    public static Props Props(Dataset dataset, int start, int count) =>
        Akka.Actor.Props.Create(() => new DataShardActor(dataset, start, count));
}
