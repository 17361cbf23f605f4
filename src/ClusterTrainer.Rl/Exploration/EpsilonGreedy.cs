namespace ClusterTrainer.Rl.Exploration;

public static class EpsilonGreedy
{
    /// <summary>
    /// With probability <paramref name="epsilon"/> a uniformly random action, otherwise the greedy one
    /// (<see cref="ActionValues.ArgMax"/>).
    /// </summary>
    public static int SelectAction(ReadOnlySpan<float> qValues, double epsilon, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (qValues.IsEmpty)
        {
            throw new ArgumentException("There must be at least one action value.", nameof(qValues));
        }

        return random.NextDouble() < epsilon ? random.Next(qValues.Length) : ActionValues.ArgMax(qValues);
    }
}
