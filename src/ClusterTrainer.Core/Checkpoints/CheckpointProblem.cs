namespace ClusterTrainer.Core.Checkpoints;

/// <summary>Why a checkpoint file cannot be used; each is named in the error so the reader knows what to do.</summary>
public enum CheckpointProblem
{
    /// <summary>The run directory has no checkpoint (the run stopped before its first one).</summary>
    Missing,

    /// <summary>Not a checkpoint file at all (wrong magic).</summary>
    NotACheckpoint,

    /// <summary>Shorter than its header says: a write that never finished, or a copy cut short.</summary>
    Truncated,

    /// <summary>Its SHA-256 does not match its bytes: changed or damaged after it was written.</summary>
    Corrupt,

    /// <summary>Written by a build with another checkpoint format.</summary>
    WrongVersion,

    /// <summary>Written for a job with other settings than the one that would load it.</summary>
    WrongSettings,
}
