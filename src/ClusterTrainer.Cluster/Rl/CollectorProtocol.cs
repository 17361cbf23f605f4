using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Cluster.Rl;

/// <summary>What one collector needs: its index, the run's settings and the learner's first weights.</summary>
/// <summary>
/// What a collector needs to start. <paramref name="StepsDone"/>: steps of its quota an earlier incarnation collected (a
/// collector moved from a lost node), so that the job collects what it asked for, not more.
/// </summary>
public sealed record CollectorSetup(int Index, DqnSettings Settings, float[] InitialWeights, long StepsDone = 0)
{
    /// <summary>The steps this collector still has to collect.</summary>
    public long Quota => Settings.QuotaOf(Index) - StepsDone;
}

/// <summary>A chunk went to the replay; the episodes that ended in it, for progress and "solved" detection.</summary>
public sealed record CollectorProgressed(int Collector, long Steps, long Transitions, double[] EpisodeReturns, int[] EpisodeLengths, long PolicyVersion, double Epsilon);

/// <summary>The collector has collected its whole quota.</summary>
public sealed record CollectorFinished(int Collector, long Steps);

public sealed record CollectorFailed(int Collector, string Reason);

public sealed class GetCollectorStatus
{
    public static readonly GetCollectorStatus Instance = new();

    private GetCollectorStatus()
    {
    }
}

/// <summary>
/// <paramref name="PolicyVersion"/> is the version of the weights the collector acts with now (0 = the
/// initial ones); <paramref name="ChunksInFlight"/> the chunks the replay has not acknowledged yet.
/// </summary>
public sealed record CollectorStatus(int Collector, long Steps, long Chunks, long PolicyVersion, int ChunksInFlight, bool Finished);
