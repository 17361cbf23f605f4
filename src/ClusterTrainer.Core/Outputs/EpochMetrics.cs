namespace ClusterTrainer.Core.Outputs;

/// <summary>One row of metrics.csv.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TestLoss, double TestAccuracy, double SamplesPerSecond);
