namespace ClusterTrainer.Rl.Environments;

/// <summary>
/// One step of every copy of a <see cref="VectorEnvironment"/>. Observation arrays are flat,
/// copy-major (copy i occupies [i * ObservationSize, (i + 1) * ObservationSize)). All arrays are new
/// for each step, so callers may keep them.
/// </summary>
/// <param name="Observations">What to act on next: for a copy whose episode just ended, the first observation of its new episode.</param>
/// <param name="NextObservations">
/// The true successor state of each transition, which differs from <paramref name="Observations"/>
/// only for copies that were just reset; store this one, so a truncated transition bootstraps from
/// where the episode really was.
/// </param>
/// <param name="Rewards">The reward of each copy's transition.</param>
/// <param name="Terminated">Per copy: the transition reached a terminal state.</param>
/// <param name="Truncated">Per copy: the time limit ended the episode.</param>
/// <param name="CompletedEpisodes">The episodes that ended in this step, in copy order.</param>
public sealed record VectorStepResult(
    float[] Observations,
    float[] NextObservations,
    float[] Rewards,
    bool[] Terminated,
    bool[] Truncated,
    IReadOnlyList<EpisodeSummary> CompletedEpisodes);
