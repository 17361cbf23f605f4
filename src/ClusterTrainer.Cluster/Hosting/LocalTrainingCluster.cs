using Akka.Actor;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Shards;
using ClusterTrainer.Cluster.Workers;
using ClusterTrainer.Exchange.Providers;
using ClusterTrainer.Core.Outputs;
using Serilog;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>
/// Runs a training job on actors inside one process: shards, workers and a coordinator in one
/// ActorSystem, with the shared-memory gradient exchange. The same actors run across processes.
/// </summary>
public static class LocalTrainingCluster
{
    public static readonly TimeSpan ExchangeTimeout = TimeSpan.FromSeconds(60);

    public static async Task<RunSummary> RunAsync(
        ActorSystem system,
        TrainingJob job,
        ILogger log,
        Action<object>? onEvent = null,
        CoordinatorTimeouts? timeouts = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(job);
        var settings = job.Settings;
        var created = new List<IActorRef>();
        var exchanges = new InProcessExchangeProvider(ExchangeTimeout);
        try
        {
            var shardMap = new ShardMap(job.Data.Train.Count, settings.Shards);
            var trainShards = Enumerable.Range(0, settings.Shards).Select(s =>
            {
                var (start, count) = shardMap.Range(s);
                return Track(created, system.ActorOf(DataShardActor.Props(job.Data.Train, start, count), $"{job.JobId}-shard-{s}"));
            }).ToArray();
            var testShard = Track(created, system.ActorOf(DataShardActor.Props(job.Data.Test, 0, job.Data.Test.Count), $"{job.JobId}-test-shard"));
            var workers = Enumerable.Range(0, settings.Workers)
                .Select(rank => Track(created, system.ActorOf(WorkerActor.Props(log.ForContext("Worker", rank).ForContext("JobId", job.JobId), exchanges, WorkerTimeouts.Default, WorkerPlacement.InProcess(settings.Workers)), $"{job.JobId}-worker-{rank}")))
                .ToArray();

            var completion = new TaskCompletionSource<RunSummary>(TaskCreationOptions.RunContinuationsAsynchronously);
            var listener = Track(created, system.ActorOf(JobListenerActor.Props(completion, onEvent ?? (_ => { })), $"{job.JobId}-listener"));
            var coordinator = Track(created, system.ActorOf(
                CoordinatorActor.Props(job, workers, trainShards, testShard, listener, log, (timeouts ?? CoordinatorTimeouts.Default) with { LostWorkerWait = TimeSpan.Zero }),
                $"{job.JobId}-coordinator"));
            await using var cancel = cancellationToken.Register(() => coordinator.Tell(new CancelJob(job.JobId)));
            return await JobCompletion.AwaitAsync(completion.Task, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var actor in created)
            {
                await actor.GracefulStop(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            }
        }
    }

    private static IActorRef Track(List<IActorRef> created, IActorRef actor)
    {
        created.Add(actor);
        return actor;
    }
}
