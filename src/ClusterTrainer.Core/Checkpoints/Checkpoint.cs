namespace ClusterTrainer.Core.Checkpoints;

/// <summary>A job's position and its replicas' state (parameters and optimizer, as the models' ReplicaState bytes).</summary>
public sealed record Checkpoint(CheckpointPosition Position, byte[] State);
