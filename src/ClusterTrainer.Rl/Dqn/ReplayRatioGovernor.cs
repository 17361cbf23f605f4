namespace ClusterTrainer.Rl.Dqn;

/// <summary>
/// Holds the replay ratio (gradient updates per collected transition) whatever the collectors' speed.
/// The learner may do exactly floor((collected - learningStarts) * ratio) updates, and collectors may
/// run at most <c>maxLag</c> transitions ahead of what the learner has consumed: fast collectors are
/// held back (never by waiting for weights, only for the learner to catch up), and a slow learner
/// is never asked for more than its share.
/// </summary>
public sealed class ReplayRatioGovernor
{
    public ReplayRatioGovernor(double ratio, long learningStarts, long maxLag, long totalSteps)
    {
        if (!(ratio >= 0) || double.IsInfinity(ratio))
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "The replay ratio must be finite and at least 0.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(learningStarts);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLag, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        if (ratio > 0 && maxLag * ratio < 1)
        {
            // Otherwise the collectors could be held back while the learner is owed no update: a deadlock.
            throw new ArgumentOutOfRangeException(nameof(maxLag), maxLag, "maxLag x ratio must allow at least one update.");
        }

        Ratio = ratio;
        LearningStarts = learningStarts;
        MaxLag = maxLag;
        TotalSteps = totalSteps;
    }

    public double Ratio { get; }

    public long LearningStarts { get; }

    public long MaxLag { get; }

    public long TotalSteps { get; }

    /// <summary>The updates the whole run will do once every step is collected.</summary>
    public long TotalUpdates => UpdatesDue(TotalSteps);

    /// <summary>Updates owed in total once <paramref name="collected"/> transitions are in.</summary>
    public long UpdatesDue(long collected)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(collected);
        var counted = Math.Min(collected, TotalSteps);
        return counted <= LearningStarts ? 0 : (long)Math.Floor((counted - LearningStarts) * Ratio);
    }

    /// <summary>How many more updates the learner may do now.</summary>
    public long UpdatesAllowed(long collected, long updatesDone) => Math.Max(0, UpdatesDue(collected) - updatesDone);

    /// <summary>
    /// Whether collectors may have <paramref name="collected"/> transitions in while the learner has done
    /// <paramref name="updatesDone"/>: true while they are no more than MaxLag ahead of the ratio.
    /// </summary>
    public bool MayCollect(long collected, long updatesDone)
    {
        if (Ratio == 0)
        {
            return true;
        }

        // The transitions the learner's updates have "paid for", rounded up so that a learner that is
        // exactly on schedule never holds anyone back.
        var covered = LearningStarts + (long)Math.Ceiling(updatesDone / Ratio);
        return collected - covered <= MaxLag;
    }

    /// <summary>True when every step is collected and every update owed is done: the learner can stop.</summary>
    public bool IsComplete(long collected, long updatesDone) => collected >= TotalSteps && updatesDone >= TotalUpdates;
}
