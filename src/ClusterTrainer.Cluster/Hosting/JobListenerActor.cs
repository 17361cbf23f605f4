using Akka.Actor;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>Turns a job's events into a callback and a task for code outside the actor system.</summary>
internal sealed class JobListenerActor : ReceiveActor
{
    private readonly TaskCompletionSource<RunSummary> _completion;

    public JobListenerActor(TaskCompletionSource<RunSummary> completion, Action<object> onEvent)
    {
        _completion = completion;
        Receive<JobAccepted>(onEvent);
        Receive<JobProgressed>(onEvent);
        Receive<EpochFinished>(onEvent);
        Receive<JobFinished>(m => completion.TrySetResult(m.Summary));
        Receive<JobFailed>(m => completion.TrySetException(new TrainingFailedException(m.Reason)));
        Receive<JobCancelled>(_ => completion.TrySetCanceled());
    }

    public static Props Props(TaskCompletionSource<RunSummary> completion, Action<object> onEvent) =>
        Akka.Actor.Props.Create(() => new JobListenerActor(completion, onEvent));

    /// <summary>Whoever awaits the job must not wait for ever when the actor system stops under it.</summary>
    protected override void PostStop() =>
        _completion.TrySetException(new TrainingFailedException("the actor system stopped before the job ended"));
}
