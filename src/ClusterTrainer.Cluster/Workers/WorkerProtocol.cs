using Akka.Actor;
using ClusterTrainer.Cluster.Shards;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Exchange;

namespace ClusterTrainer.Cluster.Workers;

/// <summary>Build a replica for a job: where the data is, who the peers are, how many threads to use.</summary>
public sealed record PrepareWorker(
    string JobId,
    TrainingSettings Settings,
    int[] SampleShape,
    int Classes,
    int Rank,
    int WorldSize,
    int ThreadsPerWorker,
    IGradientExchange Exchange,
    IReadOnlyList<IActorRef> TrainShards,
    ShardMap TrainShardMap,
    IActorRef TestShard);

public sealed record WorkerPrepared(string JobId, int Rank, int ParameterCount);

/// <summary>Rank 0 is asked for the initial parameters that every replica then loads.</summary>
public sealed record ExportParameters(string JobId);

public sealed record ParametersExported(string JobId, int Rank, float[] Values);

public sealed record LoadParameters(string JobId, float[] Values);

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

public sealed record SaveModel(string JobId, string Path);

public sealed record ModelSaved(string JobId, string Path);

/// <summary>Release the replica and its thread; the worker is free for another job.</summary>
public sealed record ReleaseJob(string JobId);

public sealed class GetWorkerStatus
{
    public static readonly GetWorkerStatus Instance = new();

    private GetWorkerStatus()
    {
    }
}

public sealed record WorkerStatus(string? JobId, int Rank, string State, long LastCompletedSequence, int PendingSteps);
