using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Core.Checkpoints;

/// <summary>
/// Where a job stood when its checkpoint was taken, at a step boundary: the next step to run and what the finished
/// steps and epochs reported. With the replica state beside it, the job continues exactly where it was.
/// </summary>
public sealed record CheckpointPosition
{
    /// <summary>The job's settings: a job with other settings refuses the checkpoint.</summary>
    public required TrainingSettings Settings { get; init; }

    /// <summary>Steps completed over the whole run: the next step's global sequence number.</summary>
    public required long Sequence { get; init; }

    /// <summary>The epoch (from 1) of the next step; one past the last epoch when training is complete.</summary>
    public required int Epoch { get; init; }

    /// <summary>The next step's index within <see cref="Epoch"/> (0 at an epoch's start).</summary>
    public required int Step { get; init; }

    /// <summary>The summed training loss of <see cref="Epoch"/>'s completed steps, so its reported mean is the uninterrupted one.</summary>
    public required double EpochLossSum { get; init; }

    /// <summary>The samples of <see cref="Epoch"/>'s completed steps.</summary>
    public required long EpochSamples { get; init; }

    /// <summary>Samples trained over the whole run.</summary>
    public required long SamplesDone { get; init; }

    /// <summary>Seconds spent in training steps before this checkpoint (the run's samples/s continues from it).</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>The finished epochs' rows of metrics.csv.</summary>
    public required IReadOnlyList<EpochMetrics> Metrics { get; init; }

    /// <summary>The replicas' parameter checksum at this point.</summary>
    public required string ParameterChecksum { get; init; }

    /// <summary>Workers in the job when it was taken.</summary>
    public required int Workers { get; init; }

    /// <summary>Every change of the job's workers so far (losses, joins, resumes).</summary>
    public IReadOnlyList<MembershipChange> Membership { get; init; } = [];

    /// <summary>Samples trained in each finished epoch (each should be the training set's size).</summary>
    public IReadOnlyList<long> EpochSampleCounts { get; init; } = [];

    public DateTimeOffset CreatedUtc { get; init; }
}
