using Akka.Actor;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>Submits a job to the cluster's job manager and follows it to its end.</summary>
public static class ClusterJobClient
{
    public static async Task<RunSummary> RunAsync(ActorSystem system, IActorRef jobManager, SubmitTrainingJob job, Action<object>? onEvent = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(job);
        var completion = new TaskCompletionSource<RunSummary>(TaskCreationOptions.RunContinuationsAsynchronously);
        var listener = system.ActorOf(JobListenerActor.Props(completion, onEvent ?? (_ => { })), $"{job.JobId}-client");
        try
        {
            jobManager.Tell(job, listener);
            await using var cancel = cancellationToken.Register(() => jobManager.Tell(new CancelJob(job.JobId), listener));
            return await JobCompletion.AwaitAsync(completion.Task, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            system.Stop(listener);
        }
    }
}
