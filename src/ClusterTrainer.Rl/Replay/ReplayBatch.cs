namespace ClusterTrainer.Rl.Replay;

/// <summary>
/// Caller-owned arrays that <see cref="ReplayBuffer"/> fills with a sample, so a learner can reuse one
/// batch for every update instead of allocating. Observation arrays are flat, row-major
/// (Size x ObservationSize).
/// </summary>
public sealed class ReplayBatch
{
    public ReplayBatch(int size, int observationSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(observationSize, 1);
        Size = size;
        ObservationSize = observationSize;
        Observations = new float[checked(size * observationSize)];
        NextObservations = new float[Observations.Length];
        Actions = new int[size];
        Rewards = new float[size];
        Terminated = new bool[size];
        Ids = new long[size];
        Weights = new float[size];
    }

    public int Size { get; }

    public int ObservationSize { get; }

    public float[] Observations { get; }

    public int[] Actions { get; }

    public float[] Rewards { get; }

    public float[] NextObservations { get; }

    public bool[] Terminated { get; }

    /// <summary>Which stored transitions were drawn; pass them back to <see cref="ReplayBuffer.UpdatePriorities"/>.</summary>
    public long[] Ids { get; }

    /// <summary>Importance-sampling weights for the loss; all 1 for uniform sampling.</summary>
    public float[] Weights { get; }
}
