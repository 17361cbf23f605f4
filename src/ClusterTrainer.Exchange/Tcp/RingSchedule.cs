using ClusterTrainer.Core;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// Which segment a rank sends and receives at each step of a ring all-reduce: N - 1 reduce-scatter steps, after which
/// rank r holds the full sum of segment (r + 1) mod N, then N - 1 all-gather steps that pass the sums around.
/// </summary>
/// <remarks>
/// The segment received at step s is always the one sent at step s + 1. The sender relies on that: it may forward
/// a chunk as soon as the receiver has finished that chunk, which is what pipelines the ring.
/// </remarks>
/// <param name="WholeOffset">Where these elements start in a whole vector whose segments they keep (a gradient bucket).</param>
/// <param name="WholeLength">That whole vector's length; null: these elements are the whole vector.</param>
internal readonly record struct RingSchedule(int Rank, int WorldSize, int Length, int WholeOffset = 0, int? WholeLength = null)
{
    public int StepCount => 2 * (WorldSize - 1);

    /// <summary>Which of the two halves a call runs (see <see cref="RingPhase"/>): the steps from here...</summary>
    public RingPhase Phase { get; init; } = RingPhase.AllReduce;

    public int FirstStep => Phase == RingPhase.AllGather ? WorldSize - 1 : 0;

    /// <summary>...to just before here.</summary>
    public int EndStep => Phase == RingPhase.ReduceScatter ? WorldSize - 1 : StepCount;

    /// <summary>After a reduce-scatter, the segment whose full sum this rank holds (and an all-gather starts from).</summary>
    public int OwnedSegment => Modulo(Rank + 1);

    public bool IsReduceStep(int step) => step < WorldSize - 1;

    public int SendSegment(int step) =>
        IsReduceStep(step) ? Modulo(Rank - step) : Modulo(Rank + 1 - (step - (WorldSize - 1)));

    public int ReceiveSegment(int step) =>
        IsReduceStep(step) ? Modulo(Rank - step - 1) : Modulo(Rank - (step - (WorldSize - 1)));

    /// <summary>
    /// Even split with the remainder spread over the first segments, so lengths below N work (empty segments). A part of
    /// a whole vector (<see cref="WholeLength"/>) gets the whole vector's segments cut to its elements: each element is
    /// then summed in the order the whole vector's call would sum it, so the bits are the same.
    /// </summary>
    public (int Offset, int Count) Segment(int index)
    {
        if (WholeLength is not { } whole)
        {
            return EpochPlan.Split(Length, WorldSize, index);
        }

        var (offset, count) = EpochPlan.Split(whole, WorldSize, index);
        var start = Math.Max(offset, WholeOffset);
        var end = Math.Min(offset + count, WholeOffset + Length);
        return end > start ? (start - WholeOffset, end - start) : (Math.Clamp(offset - WholeOffset, 0, Length), 0);
    }

    public string Describe(int step) => IsReduceStep(step)
        ? $"reduce-scatter step {step + 1} of {WorldSize - 1}"
        : $"all-gather step {step - (WorldSize - 1) + 1} of {WorldSize - 1}";

    private int Modulo(int value) => ((value % WorldSize) + WorldSize) % WorldSize;
}

/// <summary>
/// The whole all-reduce, or one of its halves: a reduce-scatter leaves each rank the full sum of one segment
/// (<see cref="RingSchedule.OwnedSegment"/>), an all-gather hands every rank's segment to all. A two-level all-reduce
/// runs the halves on one ring around an all-reduce on another (see TwoLevelExchange).
/// </summary>
internal enum RingPhase
{
    AllReduce,
    ReduceScatter,
    AllGather,
}
