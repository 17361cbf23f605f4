using System.Text.Json.Serialization;

namespace ClusterTrainer.Core.Outputs;

/// <summary>summary.json: what a run did and how well, for people and scripts.</summary>
public sealed record RunSummary
{
    [JsonPropertyName("run_id")]
    public required string RunId { get; init; }

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("dataset")]
    public required string Dataset { get; init; }

    [JsonPropertyName("train_samples")]
    public required int TrainSamples { get; init; }

    [JsonPropertyName("test_samples")]
    public required int TestSamples { get; init; }

    [JsonPropertyName("workers")]
    public required int Workers { get; init; }

    [JsonPropertyName("shards")]
    public required int Shards { get; init; }

    [JsonPropertyName("threads_per_worker")]
    public required int ThreadsPerWorker { get; init; }

    [JsonPropertyName("epochs")]
    public required int Epochs { get; init; }

    [JsonPropertyName("batch_size")]
    public required int BatchSize { get; init; }

    [JsonPropertyName("steps")]
    public required long Steps { get; init; }

    /// <summary>Training samples processed (epochs x training set).</summary>
    [JsonPropertyName("samples")]
    public required long Samples { get; init; }

    [JsonPropertyName("wall_seconds")]
    public required double WallSeconds { get; init; }

    /// <summary>Time spent in training steps only (no evaluation, no start-up).</summary>
    [JsonPropertyName("train_seconds")]
    public required double TrainSeconds { get; init; }

    [JsonPropertyName("samples_per_second")]
    public required double SamplesPerSecond { get; init; }

    [JsonPropertyName("test_accuracy")]
    public required double TestAccuracy { get; init; }

    [JsonPropertyName("test_loss")]
    public required double TestLoss { get; init; }

    [JsonPropertyName("final_loss")]
    public required double FinalLoss { get; init; }

    [JsonPropertyName("seed")]
    public required int Seed { get; init; }

    [JsonPropertyName("parameter_checksum")]
    public required string ParameterChecksum { get; init; }

    [JsonPropertyName("settings")]
    public required TrainingSettings Settings { get; init; }

    /// <summary>Every change of the job's workers: lost, joined, resumed (step, worker, reason).</summary>
    /// <summary>Samples trained in each epoch: the training set's size each time, whatever workers were lost or gained.</summary>
    [JsonPropertyName("samples_per_epoch")]
    public IReadOnlyList<long> SamplesPerEpoch { get; init; } = [];

    [JsonPropertyName("membership")]
    public IReadOnlyList<Checkpoints.MembershipChange> Membership { get; init; } = [];
}
