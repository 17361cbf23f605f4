namespace ClusterTrainer.Core;

public enum ScheduleKind
{
    Constant,
    Cosine,
}

/// <summary>
/// The learning rate of each global step, a pure function of the settings so every worker (and a resumed
/// job) applies the same one. Cosine decay to zero over the run is the default: it ends training in a
/// flat region, so the final epoch's accuracy is not at the mercy of the last few noisy steps.
/// </summary>
public static class LearningRateSchedule
{
    public static double At(ScheduleKind kind, double baseRate, long step, long totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return kind switch
        {
            ScheduleKind.Constant => baseRate,
            ScheduleKind.Cosine when totalSteps <= 1 => baseRate,
            ScheduleKind.Cosine => baseRate * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(step, totalSteps) / totalSteps)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown schedule"),
        };
    }
}
