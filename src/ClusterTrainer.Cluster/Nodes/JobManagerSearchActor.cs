using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Serilog;

namespace ClusterTrainer.Cluster.Nodes;

/// <summary>
/// Says so when a node has not found the job manager (the cluster singleton) for a while. Akka's singleton proxy
/// warns "failed to find an associated singleton" the moment it starts, before the cluster has even formed, which
/// reads like an error on every healthy start; its warning is turned off (see ClusterNodeHost) and this actor
/// warns only when the search lasts, then every <c>patience</c> until the job manager is found.
/// </summary>
public sealed class JobManagerSearchActor : ReceiveActor, IWithTimers
{
    private readonly DateTime _started = DateTime.UtcNow;

    public JobManagerSearchActor(ILogger log, string singletonName, TimeSpan patience)
    {
        Receive<ClusterSingletonProxy.IdentifySingletonResult>(
            result => result.SingletonName == singletonName && result.Result == ClusterSingletonProxy.IdentifyResult.Success,
            _ =>
            {
                Timers.CancelAll();
                log.Debug("Job manager found {Seconds:F1} s after the node started", (DateTime.UtcNow - _started).TotalSeconds);
                Become(() => ReceiveAny(_ => { }));
            });
        Receive<ClusterSingletonProxy.IdentifySingletonResult>(_ => { });
        Receive<StillSearching>(_ => log.Warning(
            "No job manager found {Seconds:F0} s after this node started: is a coordinator node running, and can this node reach it (--seed-nodes, network)?",
            (DateTime.UtcNow - _started).TotalSeconds));
        Timers.StartPeriodicTimer("still-searching", StillSearching.Instance, patience);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ILogger log, string singletonName, TimeSpan patience) =>
        Akka.Actor.Props.Create(() => new JobManagerSearchActor(log, singletonName, patience));

    protected override void PreStart() =>
        Context.System.EventStream.Subscribe(Self, typeof(ClusterSingletonProxy.IdentifySingletonResult));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private sealed class StillSearching : INoSerializationVerificationNeeded
    {
        public static readonly StillSearching Instance = new();
    }
}
