namespace ClusterTrainer.Cli.Client;

/// <summary>
/// Successive halving, as in Ray Tune's ASHA with a reduction factor of 2, run rung by rung: every point trains
/// <c>minEpochs</c>; the better half (rounded up) by test accuracy at that epoch goes on to twice the epochs, and so on;
/// once one point is left, or the next rung would reach the full epochs, the survivors train to the full epochs. Each
/// point keeps its one run (paused at a rung and resumed from its checkpoint), so its learning-rate schedule and its
/// result are those of the full-grid job: only the worse points stop early, which is where the epochs are saved.
/// </summary>
public static class SuccessiveHalving
{
    /// <summary>The epochs the survivors of a rung train to next.</summary>
    /// <param name="reached">The rung's epochs.</param>
    /// <param name="survivors">How many points go on.</param>
    /// <param name="fullEpochs">The epochs of every point's full run.</param>
    public static int NextRung(int reached, int survivors, int fullEpochs) =>
        survivors <= 1 ? fullEpochs : (int)Math.Min((long)reached * 2, fullEpochs);

    /// <summary>How many of a rung's points go on: the better half, rounded up (1 of 1, 2 of 3, 2 of 4).</summary>
    public static int Survivors(int points) => (points + 1) / 2;

    /// <summary>
    /// The better half of a rung's points, best first: a higher score wins, a point without one (it failed) loses, and
    /// equal scores keep the points' order in the grid.
    /// </summary>
    public static IReadOnlyList<T> Keep<T>(IReadOnlyList<(T Point, double? Score)> rung)
    {
        ArgumentNullException.ThrowIfNull(rung);
        return [.. rung.Select((r, order) => (r.Point, r.Score, order))
            .Where(r => r.Score is not null)
            .OrderByDescending(r => r.Score)
            .ThenBy(r => r.order)
            .Take(Survivors(rung.Count))
            .Select(r => r.Point)];
    }

    /// <summary>The epochs a whole halving run trains, when every point runs: what is compared with the full grid's.</summary>
    public static long PlannedEpochs(int points, int minEpochs, int fullEpochs)
    {
        long total = 0;
        var (live, trained, rung) = (points, 0, Math.Min(minEpochs, fullEpochs));
        while (true)
        {
            total += (long)live * (rung - trained);
            if (rung >= fullEpochs)
            {
                return total;
            }

            (live, trained) = (Survivors(live), rung);
            rung = NextRung(rung, live, fullEpochs);
        }
    }
}
