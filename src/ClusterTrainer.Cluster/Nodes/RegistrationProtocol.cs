using Akka.Actor;

namespace ClusterTrainer.Cluster.Nodes;

/// <summary>
/// A worker node offers its worker to the coordinator. Its layout never changes between protocol versions
/// (the version comes first), so a node of another version can always be read, and told why it is refused.
/// </summary>
public sealed record RegisterWorker(int ProtocolVersion, IActorRef Worker);

public sealed record WorkerRegistered(string Coordinator);

/// <summary>The coordinator will not use this worker; the reason names both protocol versions.</summary>
public sealed record WorkerRefused(string Reason);
