using Akka.Actor;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>Turns a job's events into a callback and a task for code outside the actor system.</summary>
internal sealed class JobListenerActor : ReceiveActor
{
    public JobListenerActor(TaskCompletionSource<RunSummary> completion, Action<object> onEvent)
    {
        Receive<JobAccepted>(onEvent);
        Receive<JobProgressed>(onEvent);
        Receive<EpochFinished>(onEvent);
        Receive<JobFinished>(m => completion.TrySetResult(m.Summary));
        Receive<JobFailed>(m => completion.TrySetException(new TrainingFailedException(m.Reason)));
        Receive<JobCancelled>(_ => completion.TrySetCanceled());
    }

    public static Props Props(TaskCompletionSource<RunSummary> completion, Action<object> onEvent) =>
        Akka.Actor.Props.Create(() => new JobListenerActor(completion, onEvent));
}
