using Akka.Actor;
using ClusterTrainer.Cluster.Shards;
using Serilog;

namespace ClusterTrainer.Cluster.Coordination;

/// <summary>
/// The actors of one supervised job: its training data shards, its test shard and its coordinator. <see cref="Launch"/>
/// is the one place they are made, wherever the job comes from (`train` in one process, `cluster`, the job API) and
/// whatever its worker group (in-process workers, or the worker nodes the job manager reserved): the coordinator alone
/// writes the job's outputs, and a <see cref="CancelJob"/> to it is the one way to cancel it.
/// </summary>
public sealed record TrainingJobActors(IReadOnlyList<IActorRef> TrainShards, IActorRef TestShard, IActorRef Coordinator)
{
    /// <summary>Every actor of the job, to stop when it has ended.</summary>
    public IReadOnlyList<IActorRef> All => [.. TrainShards, TestShard, Coordinator];

    /// <param name="factory">Where the actors live: the actor system, or the job manager's context (its children).</param>
    /// <param name="requester">Told the job's progress and its end.</param>
    /// <param name="nameSuffix">Told apart from an earlier attempt's actors, whose names may not be free yet.</param>
    public static TrainingJobActors Launch(
        IActorRefFactory factory,
        TrainingJob job,
        IReadOnlyList<IActorRef> workers,
        IActorRef requester,
        ILogger log,
        CoordinatorTimeouts timeouts,
        string nameSuffix = "")
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(job);
        var data = job.Data;
        var shardMap = new ShardMap(data.Train.Count, job.Settings.Shards);
        var shards = Enumerable.Range(0, job.Settings.Shards).Select(s =>
        {
            var (start, count) = shardMap.Range(s);
            return factory.ActorOf(DataShardActor.Props(data.Train, start, count), $"{job.JobId}-shard-{s}{nameSuffix}");
        }).ToArray();
        var testShard = factory.ActorOf(DataShardActor.Props(data.Test, 0, data.Test.Count), $"{job.JobId}-test-shard{nameSuffix}");
        var coordinator = factory.ActorOf(CoordinatorActor.Props(job, workers, shards, testShard, requester, log, timeouts), $"{job.JobId}-coordinator{nameSuffix}");
        return new TrainingJobActors(shards, testShard, coordinator);
    }
}
