namespace ClusterTrainer.Rl.Exploration;

/// <summary>
/// A value that moves linearly from Start to End over the first Fraction of TotalSteps and then stays
/// at End: the usual epsilon decay for a single DQN learner, and usable for annealing beta too.
/// </summary>
public sealed class LinearSchedule
{
    private readonly double _rampSteps;

    public LinearSchedule(double start, double end, double fraction, long totalSteps)
    {
        if (!(fraction >= 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The fraction must be in [0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(totalSteps);
        Start = start;
        End = end;
        _rampSteps = fraction * totalSteps;
    }

    public double Start { get; }

    public double End { get; }

    public double ValueAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step >= _rampSteps)
        {
            return End;
        }

        return Start + ((End - Start) * (step / _rampSteps));
    }
}
