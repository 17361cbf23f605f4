using Akka.Actor;
using ClusterTrainer.Cluster.Coordination;
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
            var workers = Enumerable.Range(0, settings.Workers)
                .Select(rank => Track(created, system.ActorOf(WorkerActor.Props(log.ForContext("Worker", rank).ForContext("JobId", job.JobId), exchanges, WorkerTimeouts.Default, WorkerPlacement.InProcess(settings.Workers)), $"{job.JobId}-worker-{rank}")))
                .ToArray();

            var completion = new TaskCompletionSource<RunSummary>(TaskCreationOptions.RunContinuationsAsynchronously);
            var listener = Track(created, system.ActorOf(JobListenerActor.Props(completion, onEvent ?? (_ => { })), $"{job.JobId}-listener"));
            // In one process no worker node can be lost, so a failed step fails the job at once.
            var actors = TrainingJobActors.Launch(system, job, workers, listener, log, (timeouts ?? CoordinatorTimeouts.Default) with { LostWorkerWait = TimeSpan.Zero });
            created.AddRange(actors.All);
            var coordinator = actors.Coordinator;
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
