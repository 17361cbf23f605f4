using Akka.Actor;

namespace ClusterTrainer.Cluster.Simulation;

/// <summary>
/// What one light worker received from and sent to its coordinator during one job (sent when the job releases it):
/// every message, and the steps' own (StartStep in, StepCompleted out), with their serialized payload bytes.
/// </summary>
public sealed record LightWorkerTally(string JobId, int Rank, long MessagesIn, long MessagesOut, long BytesIn, long BytesOut, long StepMessages, long StepBytes);

/// <summary>Answered with <see cref="RegisteredLightWorkers"/> once at least <paramref name="Count"/> light workers have registered.</summary>
public sealed record AwaitLightWorkers(int Count) : INoSerializationVerificationNeeded;

/// <summary>Every registered light worker, in registration order.</summary>
public sealed record RegisteredLightWorkers(IReadOnlyList<IActorRef> Workers) : INoSerializationVerificationNeeded;

/// <summary>Answered with <see cref="LightWorkerTallies"/> once every one of the job's <paramref name="Workers"/> light workers has reported.</summary>
public sealed record AwaitTallies(string JobId, int Workers) : INoSerializationVerificationNeeded;

public sealed record LightWorkerTallies(IReadOnlyList<LightWorkerTally> Tallies) : INoSerializationVerificationNeeded;
