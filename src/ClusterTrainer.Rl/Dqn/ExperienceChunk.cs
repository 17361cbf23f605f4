namespace ClusterTrainer.Rl.Dqn;

/// <summary>
/// Transitions a collector gathered in one go, as flat arrays (observations row-major), plus the
/// episodes that ended among them. Arrays only, so a chunk can cross a process boundary unchanged.
/// </summary>
public sealed record ExperienceChunk(
    float[] Observations,
    int[] Actions,
    float[] Rewards,
    float[] NextObservations,
    bool[] Terminated,
    double[] EpisodeReturns,
    int[] EpisodeLengths)
{
    public int Count => Actions.Length;
}
