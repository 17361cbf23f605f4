namespace ClusterTrainer.Rl.Exploration;

/// <summary>
/// The exploration rate of one collector: its fixed Ape-X rate (<see cref="ApeXEpsilon"/> with the final epsilon as base),
/// reached after a linear decay from 1 over the first part of its own budget. The decay matters with few
/// collectors, whose fixed rates alone would explore too little at the start, when the network knows nothing.
/// It depends only on the collector's own step count, so a collector never needs anyone else to act.
/// </summary>
public sealed class CollectorEpsilon
{
    private readonly LinearSchedule _schedule;

    public CollectorEpsilon(int index, int count, double finalEpsilon, double? alpha, double fraction, long quota)
    {
        Final = ApeXEpsilon.For(index, count, finalEpsilon, alpha ?? AlphaFor(count));
        _schedule = new LinearSchedule(1.0, Final, fraction, quota);
    }

    /// <summary>The epsilon this collector ends with.</summary>
    public double Final { get; }

    /// <summary>
    /// The Ape-X exponent suited to <paramref name="collectors"/>: Ape-X's 7 spreads hundreds of actors over
    /// [base^8, base]; with a handful that would leave all but the first almost greedy, so the exponent
    /// grows with the count (N - 1) and is capped at 7.
    /// </summary>
    public static double AlphaFor(int collectors)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(collectors, 1);
        return Math.Min(ApeXEpsilon.DefaultAlpha, collectors - 1);
    }

    public double At(long localStep) => _schedule.ValueAt(localStep);
}
