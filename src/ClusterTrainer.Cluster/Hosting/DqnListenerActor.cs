using Akka.Actor;
using ClusterTrainer.Cluster.Rl;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>Turns a DQN run's events into a callback and a task for code outside the actor system.</summary>
internal sealed class DqnListenerActor : ReceiveActor
{
    public DqnListenerActor(TaskCompletionSource<DqnRunResult> completion, Action<object> onEvent)
    {
        Receive<DqnProgressed>(onEvent);
        Receive<DqnEvaluated>(onEvent);
        Receive<DqnRunCompleted>(m => completion.TrySetResult(m.Result));
        Receive<DqnRunFailed>(m => completion.TrySetException(new TrainingFailedException(m.Reason)));
    }

    public static Props Props(TaskCompletionSource<DqnRunResult> completion, Action<object> onEvent) =>
        Akka.Actor.Props.Create(() => new DqnListenerActor(completion, onEvent));
}
