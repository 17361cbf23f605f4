using Akka.Actor;
using ClusterTrainer.Cluster.Nodes;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>
/// How a node process ends, from why its actor system shut down. A node that lost its cluster (downed by the
/// Split Brain Resolver, unable to join, or left without a coordinator) must exit with a failure code: that is
/// what makes Kubernetes and compose's `restart: on-failure` start it again.
/// </summary>
public sealed record NodeExit(int Code, string? Failure)
{
    public const int Success = 0;
    public const int LostCluster = 1;
    public const int Refused = 3;

    /// <summary>The name of the reason Akka.Remote shuts a node down with when its TLS handshake fails.</summary>
    public const string TlsHandshakeFailure = "TlsHandshakeFailureReason";

    /// <param name="reason">The reason CoordinatedShutdown ran with; null when it did not run.</param>
    /// <param name="refusal">The coordinator's reason for refusing this worker, when it did.</param>
    /// <param name="stopRequested">Whether this process was asked to stop (SIGTERM, Ctrl-C) before its actor system ended.</param>
    /// <param name="joinTimeout">How long the node tried to join, for the message.</param>
    public static NodeExit For(CoordinatedShutdown.Reason? reason, string? refusal, bool stopRequested, TimeSpan joinTimeout) => reason switch
    {
        CoordinatedShutdown.ClusterDowningReason =>
            new(LostCluster, "the cluster downed this node (the Split Brain Resolver found it on the minority side of a partition, or unreachable)"),
        CoordinatedShutdown.ClusterJoinUnsuccessfulReason =>
            new(LostCluster, $"could not join the cluster through its seed nodes within {joinTimeout.TotalSeconds:0} s (is the coordinator running and reachable, with the same remoting certificate?)"),
        // Akka.Remote's reason for this is internal: known by name only.
        { } tls when tls.GetType().Name == TlsHandshakeFailure =>
            new(LostCluster, "a TLS handshake with another node failed: this node's remoting certificate is not the one the cluster's nodes share (give every node the same tls.crt and tls.key)"),
        CoordinatorLostReason =>
            new(LostCluster, "the cluster's coordinator was removed, so this node left to join the next one"),
        _ when refusal is not null => new(Refused, null),
        _ when stopRequested => new(Success, null),
        // Asked to leave by another member (an operator's `leave`): a deliberate end, not one to restart from.
        CoordinatedShutdown.ClusterLeavingReason => new(Success, null),
        null => new(LostCluster, "the actor system stopped without a reason"),
        _ => new(LostCluster, $"the actor system stopped ({reason.GetType().Name})"),
    };
}
