namespace ClusterTrainer.Rl.Environments;

/// <summary>
/// The outcome of one environment step. Termination (the task reached a terminal state, so the future
/// is worth nothing) and truncation (the time limit cut the episode short, so the future still has
/// value) are kept apart because value bootstrapping must treat them differently.
/// </summary>
public readonly record struct StepResult(float[] Observation, float Reward, bool Terminated, bool Truncated)
{
    /// <summary>Whether the episode is over for either reason and the environment needs a reset.</summary>
    public bool Done => Terminated || Truncated;
}
