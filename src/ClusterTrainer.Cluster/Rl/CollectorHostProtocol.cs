using Akka.Actor;
using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Cluster.Rl;

/// <summary>
/// Asks a worker node's collector host to run these collectors of a job. They start once the host has
/// the job's initial weights (version 0, sent right after this as <see cref="PolicyWeightsPart"/>s).
/// </summary>
/// <summary>
/// Start these collectors of a job on this node. <paramref name="StepsDone"/> (empty, or one per collector): steps each
/// had collected on a node that was lost, which its quota here is reduced by.
/// </summary>
public sealed record StartCollectors(string JobId, DqnSettings Settings, int[] Collectors, IActorRef Replay, IActorRef Coordinator, long[]? StepsDone = null)
{
    public long StepsDoneBy(int collector)
    {
        var position = Array.IndexOf(Collectors, collector);
        return StepsDone is { Length: > 0 } done && position >= 0 ? done[position] : 0;
    }
}

/// <summary>The host started these collectors; <paramref name="Refs"/>[i] runs collector <paramref name="Collectors"/>[i].</summary>
public sealed record CollectorsStarted(string JobId, string Node, int[] Collectors, IActorRef[] Refs);

public sealed record CollectorsRefused(string JobId, string Node, string Reason);

public sealed class GetCollectorHostStatus
{
    public static readonly GetCollectorHostStatus Instance = new();

    private GetCollectorHostStatus()
    {
    }
}

/// <summary>
/// <paramref name="Jobs"/>: the jobs with collectors here now; <paramref name="Running"/> their collectors;
/// <paramref name="Started"/> every collector this host has started since the node came up.
/// </summary>
public sealed record CollectorHostStatus(string Node, string[] Jobs, int Running, long Started);
