using Akka.Actor;
using ClusterTrainer.Cluster.Coordination;

namespace ClusterTrainer.Cluster.Api;

/// <summary>
/// Holds one job's place in the job manager's queue for a job that runs its own actors (DQN): the answer (nodes
/// reserved, or the job failed or was cancelled while it waited) completes <paramref name="reserved"/>. The job
/// manager watches this actor, so stopping it gives the nodes back even if the job's runner forgets to.
/// </summary>
public sealed class WorkerReservationActor : ReceiveActor
{
    public WorkerReservationActor(IActorRef jobManager, ReserveWorkers request, TaskCompletionSource<IReadOnlyList<string>> reserved)
    {
        Receive<JobAccepted>(_ => { });
        Receive<WorkersReserved>(m => reserved.TrySetResult(m.Nodes));
        Receive<JobFailed>(m => reserved.TrySetException(new InvalidOperationException(m.Reason)));
        Receive<JobCancelled>(_ => reserved.TrySetCanceled());
        jobManager.Tell(request);
    }

    public static Props Props(IActorRef jobManager, ReserveWorkers request, TaskCompletionSource<IReadOnlyList<string>> reserved) =>
        Akka.Actor.Props.Create(() => new WorkerReservationActor(jobManager, request, reserved));
}
