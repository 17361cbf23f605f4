namespace ClusterTrainer.Rl.Exploration;

/// <summary>
/// The fixed per-actor exploration rates of Ape-X (Horgan et al., 2018): actor i of N explores with
/// epsilon = base^(1 + alpha * i / (N - 1)), so the actors span a range from very exploratory to
/// almost greedy and together cover it without any schedule.
/// </summary>
public static class ApeXEpsilon
{
    public const double DefaultBase = 0.4;
    public const double DefaultAlpha = 7;

    public static double For(int actorIndex, int actorCount, double baseEpsilon = DefaultBase, double alpha = DefaultAlpha)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(actorCount, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(actorIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(actorIndex, actorCount);
        if (!(baseEpsilon >= 0 && baseEpsilon <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(baseEpsilon), baseEpsilon, "The base epsilon must be in [0, 1].");
        }

        if (actorCount == 1)
        {
            return baseEpsilon;
        }

        return Math.Pow(baseEpsilon, 1 + (alpha * actorIndex / (actorCount - 1)));
    }
}
