using Akka.Actor;
using Akka.Cluster;
using Serilog;

namespace ClusterTrainer.Cluster.Nodes;

/// <summary>
/// On a node without the coordinator role: when the cluster's coordinator is removed (it left, crashed and was
/// downed, or was restarted elsewhere), this node leaves too and its process exits with a failure code, so that
/// its supervisor (Kubernetes, compose's restart policy) starts it again and it joins the next coordinator.
/// Staying would leave it in a cluster no job can ever reach.
/// </summary>
public sealed class CoordinatorWatchActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// A node that is itself downed also sees every other member removed as it shuts down; waiting this long lets
    /// Akka's own shutdown (with its reason, "downed") start first, so the node says why it really stopped.
    /// </summary>
    private static readonly TimeSpan ConfirmAfter = TimeSpan.FromSeconds(2);

    private readonly CoordinatorPresence _presence = new();

    public CoordinatorWatchActor(ILogger log)
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Members.Where(m => m.Status == MemberStatus.Up && IsCoordinator(m)))
            {
                _presence.Up(member.Address.ToString());
            }
        });
        Receive<ClusterEvent.MemberUp>(m =>
        {
            if (IsCoordinator(m.Member))
            {
                _presence.Up(m.Member.Address.ToString());
            }
        });
        Receive<ClusterEvent.MemberRemoved>(m =>
        {
            if (IsCoordinator(m.Member) && _presence.Removed(m.Member.Address.ToString()))
            {
                Timers.StartSingleTimer("confirm", new ConfirmLost(m.Member.Address.ToString(), m.PreviousStatus.ToString()), ConfirmAfter);
            }
        });
        Receive<ConfirmLost>(m =>
        {
            var shutdown = CoordinatedShutdown.Get(Context.System);
            if (shutdown.ShutdownReason is null && _presence.Lost)
            {
                log.Error("The coordinator {Coordinator} was removed from the cluster (last status {Status}); this node leaves too and exits with code 1 so that it is restarted and joins the next coordinator",
                    m.Coordinator, m.Status);
                shutdown.Run(CoordinatorLostReason.Instance);
            }
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ILogger log) => Akka.Actor.Props.Create(() => new CoordinatorWatchActor(log));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private static bool IsCoordinator(Member member) => member.HasRole(Hosting.NodeOptions.CoordinatorRole);

    private sealed record ConfirmLost(string Coordinator, string Status) : INoSerializationVerificationNeeded;
}

/// <summary>Why a node shut down when its cluster lost its coordinator (see <see cref="CoordinatorWatchActor"/>).</summary>
public sealed class CoordinatorLostReason : CoordinatedShutdown.Reason
{
    public static readonly CoordinatorLostReason Instance = new();

    private CoordinatorLostReason()
    {
    }

    /// <summary>Used only if Akka itself ends the process (exit-clr); the node command maps reasons to exit codes (NodeExit).</summary>
    public override int ExitCode => 1;
}
