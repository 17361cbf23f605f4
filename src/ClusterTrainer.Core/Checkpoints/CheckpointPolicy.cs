namespace ClusterTrainer.Core.Checkpoints;

/// <summary>
/// When a job writes a checkpoint besides the one at each epoch's end. With --checkpoint-every N: after every N-th
/// step of the run. Without it: when <see cref="Interval"/> of training has passed since the last one, so a long epoch
/// (full data, a slow model) does not risk more than that much work, while short epochs pay nothing extra.
/// </summary>
/// <remarks>
/// A checkpoint drains the step pipeline (the next step is issued only after the state is captured), which costs
/// about one step's latency; at an epoch's end nothing is in flight anyway.
/// </remarks>
public sealed class CheckpointPolicy(int? everySteps, TimeSpan interval)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(5);

    public CheckpointPolicy(int? everySteps)
        : this(everySteps, DefaultInterval)
    {
    }

    public TimeSpan Interval { get; } = interval;

    /// <summary>Whether to checkpoint after a step that is not the last of its epoch.</summary>
    /// <param name="stepsCompleted">Steps completed over the whole run, this one included.</param>
    /// <param name="sinceLast">Training time since the last checkpoint (or the start).</param>
    public bool DueWithinEpoch(long stepsCompleted, TimeSpan sinceLast) =>
        everySteps is { } every ? stepsCompleted % every == 0 : sinceLast >= Interval;
}
