namespace ClusterTrainer.Cluster.Coordination;

/// <summary>
/// The coordinator's book of one epoch's steps: which are issued, which every worker has finished, the
/// summed loss, and the checksums reported for a step. Pure state, so the protocol can be driven and
/// checked step by step without actors.
/// </summary>
public sealed class StepLedger
{
    private readonly int _workers;
    private readonly Dictionary<long, int> _reports = [];
    private readonly Dictionary<long, Dictionary<int, string>> _checksums = [];

    public StepLedger(long firstSequence, int stepCount, int workers, int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        FirstSequence = firstSequence;
        StepCount = stepCount;
        _workers = workers;
        Window = window;
    }

    public long FirstSequence { get; }

    public int StepCount { get; }

    public int Window { get; }

    public int Issued { get; private set; }

    public int Completed { get; private set; }

    public double LossSum { get; private set; }

    public long Samples { get; private set; }

    public bool AllCompleted => Completed == StepCount;

    /// <summary>
    /// Continues an epoch whose first <paramref name="completedSteps"/> steps finished before (a resumed checkpoint):
    /// they count as issued and completed, with their loss and samples.
    /// </summary>
    public void ResumeAt(int completedSteps, double lossSum, long samples)
    {
        if (Issued != 0)
        {
            throw new InvalidOperationException("an epoch can only be resumed before any step is issued");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(completedSteps);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(completedSteps, StepCount);
        Issued = Completed = completedSteps;
        LossSum = lossSum;
        Samples = samples;
    }

    /// <summary>Whether no issued step is still running: the point at which the replicas' state can be captured.</summary>
    public bool Drained => Issued == Completed;

    /// <summary>The next step to issue, or null when the window is full or every step is issued.</summary>
    public int? NextToIssue() => Issued < StepCount && Issued - Completed < Window ? Issued : null;

    public long SequenceOf(int step) => FirstSequence + step;

    public void MarkIssued(int step)
    {
        if (step != Issued)
        {
            throw new InvalidOperationException($"step {step} issued out of order (expected {Issued})");
        }

        Issued++;
    }

    /// <returns>True when this report completes the step (every worker has reported).</returns>
    public bool Report(long sequence, int rank, double lossSum, int samples, string? checksum)
    {
        var step = sequence - FirstSequence;
        if (step < 0 || step >= Issued)
        {
            throw new InvalidOperationException($"worker {rank} reported step sequence {sequence}, which was not issued in this epoch");
        }

        if (checksum is not null)
        {
            if (!_checksums.TryGetValue(sequence, out var byRank))
            {
                _checksums[sequence] = byRank = [];
            }

            byRank[rank] = checksum;
        }

        LossSum += lossSum;
        Samples += samples;
        var count = _reports.GetValueOrDefault(sequence) + 1;
        if (count < _workers)
        {
            _reports[sequence] = count;
            return false;
        }

        _reports.Remove(sequence);
        Completed++;
        return true;
    }

    /// <summary>After a step with checksums completed: null when all replicas agree, else a description of the drift.</summary>
    public string? ChecksumMismatch(long sequence)
    {
        if (!_checksums.Remove(sequence, out var byRank) || byRank.Values.Distinct().Count() <= 1)
        {
            return null;
        }

        return "replica parameters drifted apart after step sequence " + sequence + ": " +
            string.Join(", ", byRank.OrderBy(p => p.Key).Select(p => $"worker {p.Key}={p.Value}"));
    }

    public double MeanLoss => Samples == 0 ? double.NaN : LossSum / Samples;
}
