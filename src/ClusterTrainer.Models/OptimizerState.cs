namespace ClusterTrainer.Models;

/// <summary>
/// An optimizer's whole state as plain numbers: how many updates it has made and its buffers flattened in parameter
/// order (SGD's momentum buffers; Adam's first then second moments). What a checkpoint keeps and what a joining or
/// restored replica loads, so that its next update is the one the uninterrupted optimizer would have made.
/// </summary>
public sealed record OptimizerState(long Steps, float[] Values);
