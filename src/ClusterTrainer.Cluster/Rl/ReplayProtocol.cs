namespace ClusterTrainer.Cluster.Rl;

/// <summary>A collector's chunk of transitions, flat arrays only (observations row-major).</summary>
public sealed record StoreExperience(
    int Collector,
    long Sequence,
    float[] Observations,
    int[] Actions,
    float[] Rewards,
    float[] NextObservations,
    bool[] Terminated);

/// <summary>
/// The chunk is stored and the collector may send another. The replay holds this back while the
/// collectors are more than the lag window ahead of the learner: that is how the replay ratio holds.
/// </summary>
public sealed record ExperienceAccepted(int Collector, long Sequence);

/// <summary>
/// The learner has done <paramref name="UpdatesDone"/> updates and asks for up to
/// <paramref name="MaxBatches"/> batches. The replay answers once the ratio allows at least one.
/// </summary>
public sealed record SampleBatches(long UpdatesDone, int MaxBatches);

/// <summary>
/// <paramref name="Count"/> batches of <paramref name="BatchSize"/> transitions, concatenated.
/// Count 0 with <paramref name="Complete"/> set: every step is collected and every update owed is done.
/// </summary>
public sealed record BatchesSampled(
    int Count,
    int BatchSize,
    float[] Observations,
    int[] Actions,
    float[] Rewards,
    float[] NextObservations,
    bool[] Terminated,
    long[] Ids,
    float[] Weights,
    bool Complete);

/// <summary>New TD errors of sampled transitions, for prioritised replay.</summary>
public sealed record UpdatePriorities(long[] Ids, float[] TdErrors);

public sealed class GetReplayStatus
{
    public static readonly GetReplayStatus Instance = new();

    private GetReplayStatus()
    {
    }
}

public sealed record ReplayStatus(int Count, int Capacity, long TotalAdded, long UpdatesDone, int HeldChunks);
