using Akka.Actor;
using Serilog;

namespace ClusterTrainer.Cluster.Nodes;

/// <summary>
/// On a worker node: offers the node's worker to the coordinator (through the singleton proxy) until it is
/// accepted. A refusal (another protocol version) stops the node with the coordinator's reason, since a
/// worker nobody will use should not sit in the cluster.
/// </summary>
public sealed class WorkerRegistrationActor : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    public WorkerRegistrationActor(IActorRef coordinator, IActorRef worker, int protocolVersion, ILogger log, Action<string> onRefused, WorkerRegistrationStatus? status = null)
    {
        Receive<Retry>(_ => coordinator.Tell(new RegisterWorker(protocolVersion, worker)));
        Receive<WorkerRegistered>(m =>
        {
            Timers.Cancel("retry");
            log.Information("Worker registered with the coordinator {Coordinator}", m.Coordinator);
            status?.Registered(m.Coordinator);
            Become(() => Receive<WorkerRefused>(r => Refused(r, log, onRefused)));
        });
        Receive<WorkerRefused>(m => Refused(m, log, onRefused));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef coordinator, IActorRef worker, int protocolVersion, ILogger log, Action<string> onRefused, WorkerRegistrationStatus? status = null) =>
        Akka.Actor.Props.Create(() => new WorkerRegistrationActor(coordinator, worker, protocolVersion, log, onRefused, status));

    protected override void PreStart()
    {
        Self.Tell(Retry.Instance);
        Timers.StartPeriodicTimer("retry", Retry.Instance, RetryInterval);
    }

    private void Refused(WorkerRefused refusal, ILogger log, Action<string> onRefused)
    {
        Timers.Cancel("retry");
        log.Error("The coordinator refused this worker: {Reason}", refusal.Reason);
        onRefused(refusal.Reason);
    }

    private sealed class Retry : INoSerializationVerificationNeeded
    {
        public static readonly Retry Instance = new();
    }
}
