using Akka.Actor;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cluster.Workers;

// Every message here may cross nodes: only ids, numbers, arrays, strings, settings and actor references,
// never tensors or in-process objects. Gradients and parameters move over the exchange (data plane).

/// <summary>
/// Build a replica for a job: where the data is and how many peers. The worker decides its threads itself
/// (the job's explicit threads, else its own node's cores), see <see cref="WorkerPlacement"/>.
/// </summary>
public sealed record PrepareWorker(
    string JobId,
    TrainingSettings Settings,
    int[] SampleShape,
    int Classes,
    int Rank,
    int WorldSize,
    IReadOnlyList<IActorRef> TrainShards,
    int TrainSamples,
    IActorRef TestShard);

/// <summary>
/// The replica is built; <paramref name="ExchangeEndpoint"/> is where its peers reach it ("" in one process);
/// <paramref name="Threads"/> is the intra-op thread count its steps run with.
/// </summary>
public sealed record WorkerPrepared(string JobId, int Rank, int ParameterCount, string ExchangeEndpoint, int Threads);

/// <summary>Every worker's exchange endpoint, by rank: connect to the peers.</summary>
public sealed record ConnectExchange(string JobId, IReadOnlyList<string> Endpoints);

public sealed record ExchangeConnected(string JobId, int Rank);

/// <summary>
/// Rank 0's initial parameters become every replica's, through one all-reduce in which the other ranks
/// contribute zeros: a broadcast over the data plane, exact in floating point.
/// </summary>
public sealed record BroadcastInitialParameters(string JobId);

public sealed record ParametersLoaded(string JobId, int Rank, string Checksum);

/// <summary>
/// Train on <paramref name="Assignment"/> as part of global step <paramref name="Sequence"/>. Steps are
/// issued ahead of time so the worker can prefetch; it runs them strictly in sequence order.
/// </summary>
public sealed record StartStep(string JobId, long Sequence, int Epoch, int Step, int[] Assignment, int GlobalBatchSize, double LearningRate, bool ReportChecksum);

public sealed record StepCompleted(string JobId, long Sequence, int Epoch, int Step, int Rank, double LossSum, int Samples, string? Checksum);

public sealed record StepFailed(string JobId, long Sequence, int Rank, string Reason);

/// <summary>Evaluate test-set chunks [Start, Start + Count) with the current parameters.</summary>
public sealed record EvaluateChunks(string JobId, int Epoch, IReadOnlyList<(int Start, int Count)> Chunks);

public sealed record EvaluationCompleted(string JobId, int Epoch, int Rank, int Correct, double LossSum, int Samples);

/// <summary>Send the model's bytes to the coordinator, which alone writes the run's files.</summary>
public sealed record SaveModel(string JobId);

/// <summary>One piece of a saved model, small enough for a control-plane message.</summary>
public sealed record ModelChunk(string JobId, int Index, int Count, byte[] Bytes)
{
    public const int MaxBytes = 64 * 1024;
}

/// <summary>
/// Send the replica's whole state (parameters and optimizer) to the coordinator, which writes the checkpoint. Sent
/// at a step boundary, with no step in flight: the state is that after step <paramref name="Sequence"/> - 1.
/// </summary>
public sealed record CaptureState(string JobId, long Sequence);

/// <summary>One piece of a captured state, with the replica's parameter checksum.</summary>
public sealed record StateChunk(string JobId, long Sequence, int Index, int Count, byte[] Bytes, string Checksum)
{
    public const int MaxBytes = 64 * 1024;
}

/// <summary>One piece of a checkpoint's state for one worker to load; the others get it from that one over the data plane.</summary>
public sealed record RestoreStateChunk(string JobId, int Index, int Count, byte[] Bytes);

public sealed record StateRestored(string JobId, int Rank);

/// <summary>
/// Worker <paramref name="SourceRank"/>'s whole state becomes every replica's, over the exchange (exact); the next
/// step any of them runs is <paramref name="NextSequence"/>. Answered with <see cref="ParametersLoaded"/>.
/// </summary>
public sealed record BroadcastState(string JobId, int SourceRank, long NextSequence);

/// <summary>
/// The job's workers changed (one was lost): drop the step in flight and every step queued, leave the old exchange
/// (a late message of its ring is refused by the new one's key), and open an endpoint as <paramref name="Rank"/> of
/// <paramref name="WorldSize"/> in ring generation <paramref name="Generation"/>.
/// </summary>
public sealed record RegroupWorker(string JobId, int Generation, int Rank, int WorldSize);

/// <summary>
/// Ready for the new ring: its endpoint, the last step its replica completed (applied) and that replica's checksum, from
/// which the coordinator picks the replica the others continue from.
/// </summary>
public sealed record WorkerRegrouped(string JobId, int Generation, int Rank, string ExchangeEndpoint, long LastCompletedSequence, string Checksum);

/// <summary>Release the replica, its thread and its exchange; the worker is free for another job.</summary>
public sealed record ReleaseJob(string JobId, string Reason);

public sealed class GetWorkerStatus
{
    public static readonly GetWorkerStatus Instance = new();

    private GetWorkerStatus()
    {
    }
}

public sealed record WorkerStatus(string? JobId, int Rank, string State, long LastCompletedSequence, int PendingSteps);
