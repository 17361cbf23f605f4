namespace ClusterTrainer.Cluster.Coordination;

/// <summary>
/// After a worker is lost: which surviving replica the new ring continues from, and from which step.
/// </summary>
/// <remarks>
/// A survivor whose all-reduce of step S completed holds the full sum of every worker's gradient (the lost one had
/// sent its share before it died), so its state after S is exactly the uninterrupted job's; a survivor whose
/// all-reduce broke is one step behind and takes that state. Replicas that report the same last step must hold the
/// same bits; if they do not, the replicas drifted apart and continuing would hide it.
/// </remarks>
public static class RegroupDecision
{
    /// <param name="SourceRank">The new rank whose state every replica loads.</param>
    /// <param name="NextSequence">The first step the new ring runs.</param>
    /// <param name="Drift">Null when the survivors agree; else what differs.</param>
    public sealed record Outcome(int SourceRank, long NextSequence, string? Drift);

    /// <param name="survivors">By new rank: the last step each replica completed and its parameter checksum.</param>
    public static Outcome Decide(IReadOnlyList<(long LastCompleted, string Checksum)> survivors)
    {
        ArgumentNullException.ThrowIfNull(survivors);
        if (survivors.Count == 0)
        {
            throw new ArgumentException("a ring needs at least one survivor", nameof(survivors));
        }

        var newest = survivors.Max(s => s.LastCompleted);
        var source = survivors.ToList().FindIndex(s => s.LastCompleted == newest);
        var drift = survivors
            .Select((s, rank) => (s.LastCompleted, s.Checksum, Rank: rank))
            .GroupBy(s => s.LastCompleted)
            .Where(g => g.Select(s => s.Checksum).Distinct(StringComparer.Ordinal).Count() > 1)
            .Select(g => $"after step {g.Key}: " + string.Join(", ", g.Select(s => $"worker {s.Rank}={s.Checksum}")))
            .FirstOrDefault();
        return new Outcome(source, newest + 1, drift is null ? null : "surviving replicas drifted apart " + drift);
    }
}
