namespace ClusterTrainer.Rl.Environments;

/// <summary>A named environment the trainer can build.</summary>
/// <param name="Name">The short name used on the command line, e.g. "cartpole".</param>
/// <param name="Id">The Gymnasium id it reproduces.</param>
/// <param name="SolvedThreshold">
/// Gymnasium's reward threshold: the task counts as solved when the mean return over 100 consecutive
/// episodes reaches it.
/// </param>
/// <param name="Create">Builds a fresh, independent instance.</param>
public sealed record EnvironmentSpec(string Name, string Id, double SolvedThreshold, Func<IEnvironment> Create);
