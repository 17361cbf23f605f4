namespace ClusterTrainer.Models;

/// <summary>
/// A run of consecutive model stages whose gradients are exchanged in one all-reduce: elements
/// [<see cref="Offset"/>, <see cref="Offset"/> + <see cref="Count"/>) of the flat gradient, which stages
/// <see cref="FirstStage"/> to <see cref="LastStage"/> own.
/// </summary>
public sealed record GradientBucket(int FirstStage, int LastStage, int Offset, int Count);

/// <summary>
/// How a step's gradient is cut into buckets (`--bucket-mb`), in the order backward makes them final: from the last
/// stage towards the first. A bucket closes at the first stage boundary at which it holds at least the cap, as DDP's
/// buckets do; what is left at the front is the last bucket. Why a cap and not one bucket per stage: each all-reduce
/// pays the ring's 2(N - 1) hops of latency once, so many tiny buckets cost more than they overlap.
/// </summary>
public static class GradientBuckets
{
    /// <param name="stageElements">Each stage's parameter count, in forward order (the flat gradient's order).</param>
    public static IReadOnlyList<GradientBucket> Plan(IReadOnlyList<long> stageElements, long capBytes)
    {
        ArgumentNullException.ThrowIfNull(stageElements);
        ArgumentOutOfRangeException.ThrowIfLessThan(capBytes, 1);
        var offsets = new long[stageElements.Count + 1];
        for (var i = 0; i < stageElements.Count; i++)
        {
            offsets[i + 1] = offsets[i] + stageElements[i];
        }

        var buckets = new List<GradientBucket>();
        var last = stageElements.Count - 1;
        for (var stage = last; stage >= 0; stage--)
        {
            var bytes = (offsets[last + 1] - offsets[stage]) * sizeof(float);
            if (bytes >= capBytes || stage == 0)
            {
                buckets.Add(new GradientBucket(stage, last, checked((int)offsets[stage]), checked((int)(offsets[last + 1] - offsets[stage]))));
                last = stage - 1;
            }
        }

        return buckets;
    }
}
