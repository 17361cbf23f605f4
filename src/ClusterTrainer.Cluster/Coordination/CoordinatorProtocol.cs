using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Data;

namespace ClusterTrainer.Cluster.Coordination;

/// <summary>A supervised training job: what to train, on which data, and where its results go.</summary>
public sealed record TrainingJob(string JobId, TrainingSettings Settings, DataSplit Data, string OutputDirectory);

/// <summary>How long the coordinator waits for any sign of progress before it fails the job.</summary>
public sealed record CoordinatorTimeouts(TimeSpan Progress, TimeSpan WatchdogInterval)
{
    public static readonly CoordinatorTimeouts Default = new(TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(1));
}

public sealed record JobProgressed(string JobId, int Epoch, int Epochs, int Step, int StepsPerEpoch, long SamplesDone, long SamplesTotal, double LastLoss);

public sealed record EpochFinished(string JobId, EpochMetrics Metrics);

public sealed record JobFinished(string JobId, RunSummary Summary);

public sealed record JobFailed(string JobId, string Reason);

public sealed record JobCancelled(string JobId);

public sealed record CancelJob(string JobId);

public sealed class GetJobStatus
{
    public static readonly GetJobStatus Instance = new();

    private GetJobStatus()
    {
    }
}

public sealed record JobStatus(string JobId, string State, int Epoch, int Step, int StepsPerEpoch);
