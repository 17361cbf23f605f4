namespace ClusterTrainer.Rl.Environments;

/// <summary>An episode that one copy of a <see cref="VectorEnvironment"/> finished.</summary>
/// <param name="CopyIndex">Which copy played it.</param>
/// <param name="Return">The undiscounted sum of its rewards.</param>
/// <param name="Length">Its number of steps.</param>
/// <param name="Terminated">True when it reached a terminal state, false when the time limit cut it.</param>
public readonly record struct EpisodeSummary(int CopyIndex, double Return, int Length, bool Terminated);
