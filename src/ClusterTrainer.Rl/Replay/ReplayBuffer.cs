namespace ClusterTrainer.Rl.Replay;

/// <summary>
/// A bounded ring buffer of transitions (observation, action, reward, next observation, terminated)
/// held in flat arrays allocated once, so its memory is fixed at construction however long a run
/// lasts; when full, each new transition overwrites the oldest. Sampling is uniform, or proportional
/// to priority when built with <see cref="PrioritizationOptions"/>.
/// </summary>
/// <remarks>
/// Not thread-safe: it is meant to be owned by a single actor, which serialises every call. Share it
/// between threads only behind a lock.
/// Truncation is not stored because it does not change the learning target: a transition cut by the
/// time limit is stored as not terminated and bootstraps like any other.
/// </remarks>
public sealed class ReplayBuffer
{
    private readonly float[] _observations;
    private readonly float[] _nextObservations;
    private readonly int[] _actions;
    private readonly float[] _rewards;
    private readonly bool[] _terminated;
    private readonly PrioritizationOptions? _prioritization;
    private readonly SumTree? _priorities;
    private double _maxPriority = 1.0;

    public ReplayBuffer(int capacity, int observationSize, PrioritizationOptions? prioritization = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(observationSize, 1);
        prioritization?.Validate();

        Capacity = capacity;
        ObservationSize = observationSize;
        _observations = new float[checked(capacity * observationSize)];
        _nextObservations = new float[_observations.Length];
        _actions = new int[capacity];
        _rewards = new float[capacity];
        _terminated = new bool[capacity];
        _prioritization = prioritization;
        _priorities = prioritization is null ? null : new SumTree(capacity);
    }

    public int Capacity { get; }

    public int ObservationSize { get; }

    public int Count { get; private set; }

    /// <summary>Transitions added since construction; the next one gets this as its id.</summary>
    public long TotalAdded { get; private set; }

    public bool IsPrioritized => _priorities is not null;

    /// <summary>Stores one transition and returns its id.</summary>
    public long Add(ReadOnlySpan<float> observation, int action, float reward, ReadOnlySpan<float> nextObservation, bool terminated)
    {
        CheckObservationLength(observation, 1, nameof(observation));
        CheckObservationLength(nextObservation, 1, nameof(nextObservation));

        var id = TotalAdded;
        var slot = SlotOf(id);
        observation.CopyTo(_observations.AsSpan(slot * ObservationSize, ObservationSize));
        nextObservation.CopyTo(_nextObservations.AsSpan(slot * ObservationSize, ObservationSize));
        _actions[slot] = action;
        _rewards[slot] = reward;
        _terminated[slot] = terminated;
        // New transitions get the highest priority seen so far, so each is likely to be replayed
        // at least once before its real error is known.
        _priorities?.Set(slot, Math.Pow(_maxPriority, _prioritization!.Alpha));

        TotalAdded++;
        Count = Math.Min(Count + 1, Capacity);
        return id;
    }

    /// <summary>
    /// Stores a chunk of transitions given as parallel arrays (observations flat, row-major), as a
    /// vector environment or a remote actor produces them.
    /// </summary>
    public void AddRange(
        ReadOnlySpan<float> observations,
        ReadOnlySpan<int> actions,
        ReadOnlySpan<float> rewards,
        ReadOnlySpan<float> nextObservations,
        ReadOnlySpan<bool> terminated)
    {
        var count = actions.Length;
        if (rewards.Length != count || terminated.Length != count)
        {
            throw new ArgumentException(
                $"Actions, rewards and terminated flags must have one entry per transition; got {count}, {rewards.Length} and {terminated.Length}.");
        }

        CheckObservationLength(observations, count, nameof(observations));
        CheckObservationLength(nextObservations, count, nameof(nextObservations));
        for (var i = 0; i < count; i++)
        {
            Add(
                observations.Slice(i * ObservationSize, ObservationSize),
                actions[i],
                rewards[i],
                nextObservations.Slice(i * ObservationSize, ObservationSize),
                terminated[i]);
        }
    }

    /// <summary>Fills <paramref name="batch"/> with transitions drawn uniformly, with replacement.</summary>
    public void SampleUniform(Random random, ReplayBatch batch)
    {
        CheckCanSample(random, batch);
        var oldest = TotalAdded - Count;
        for (var row = 0; row < batch.Size; row++)
        {
            CopyToBatch(oldest + random.Next(Count), batch, row, weight: 1f);
        }
    }

    /// <summary>
    /// Fills <paramref name="batch"/> with transitions drawn in proportion to their priorities, one
    /// from each of Size equal slices of the total priority (stratified, for lower variance than
    /// independent draws), with importance-sampling weights (Count * P(i))^-beta divided by the
    /// batch's largest, so the largest weight is exactly 1.
    /// </summary>
    /// <param name="random">The source of the draws.</param>
    /// <param name="beta">Correction strength in [0, 1]; Ape-X uses 0.4, annealing towards 1 is common.</param>
    /// <param name="batch">Where the sample goes.</param>
    public void SamplePrioritized(Random random, double beta, ReplayBatch batch)
    {
        if (_priorities is null)
        {
            throw new InvalidOperationException("This buffer was built without prioritisation; use SampleUniform.");
        }

        if (!(beta >= 0 && beta <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "Beta must be in [0, 1].");
        }

        CheckCanSample(random, batch);
        var total = _priorities.Total;
        var slice = total / batch.Size;
        var maxWeight = 0.0;
        for (var row = 0; row < batch.Size; row++)
        {
            var mass = Math.Min((row + random.NextDouble()) * slice, total);
            var slot = _priorities.Find(mass);
            var probability = _priorities[slot] / total;
            var weight = Math.Pow(Count * probability, -beta);
            maxWeight = Math.Max(maxWeight, weight);
            CopyToBatch(IdOf(slot), batch, row, (float)weight);
        }

        for (var row = 0; row < batch.Size; row++)
        {
            batch.Weights[row] = (float)(batch.Weights[row] / maxWeight);
        }
    }

    /// <summary>
    /// Sets the priorities of sampled transitions from their new TD errors. Ids whose transitions have
    /// since been overwritten are skipped, so a late update cannot mislabel a newer transition.
    /// </summary>
    /// <returns>How many priorities were updated.</returns>
    public int UpdatePriorities(ReadOnlySpan<long> ids, ReadOnlySpan<float> tdErrors)
    {
        if (_priorities is null)
        {
            throw new InvalidOperationException("This buffer was built without prioritisation.");
        }

        if (ids.Length != tdErrors.Length)
        {
            throw new ArgumentException($"Got {ids.Length} ids but {tdErrors.Length} TD errors.", nameof(tdErrors));
        }

        var updated = 0;
        for (var i = 0; i < ids.Length; i++)
        {
            if (!float.IsFinite(tdErrors[i]))
            {
                // One NaN would poison every sum above it in the tree.
                throw new ArgumentException($"TD error {i} is {tdErrors[i]}; errors must be finite.", nameof(tdErrors));
            }

            if (!IsStored(ids[i]))
            {
                continue;
            }

            var priority = Math.Abs(tdErrors[i]) + _prioritization!.Epsilon;
            _maxPriority = Math.Max(_maxPriority, priority);
            _priorities.Set(SlotOf(ids[i]), Math.Pow(priority, _prioritization.Alpha));
            updated++;
        }

        return updated;
    }

    private bool IsStored(long id) => id >= TotalAdded - Count && id < TotalAdded;

    private int SlotOf(long id) => (int)(id % Capacity);

    /// <summary>The id of the transition now in <paramref name="slot"/>.</summary>
    private long IdOf(int slot)
    {
        var newest = TotalAdded - 1;
        var newestSlot = SlotOf(newest);
        return newest - ((newestSlot - slot + Capacity) % Capacity);
    }

    private void CopyToBatch(long id, ReplayBatch batch, int row, float weight)
    {
        var slot = SlotOf(id);
        _observations.AsSpan(slot * ObservationSize, ObservationSize)
            .CopyTo(batch.Observations.AsSpan(row * ObservationSize, ObservationSize));
        _nextObservations.AsSpan(slot * ObservationSize, ObservationSize)
            .CopyTo(batch.NextObservations.AsSpan(row * ObservationSize, ObservationSize));
        batch.Actions[row] = _actions[slot];
        batch.Rewards[row] = _rewards[slot];
        batch.Terminated[row] = _terminated[slot];
        batch.Ids[row] = id;
        batch.Weights[row] = weight;
    }

    private void CheckCanSample(Random random, ReplayBatch batch)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.ObservationSize != ObservationSize)
        {
            throw new ArgumentException($"The batch holds observations of {batch.ObservationSize} values, the buffer {ObservationSize}.", nameof(batch));
        }

        if (Count == 0)
        {
            throw new InvalidOperationException("Cannot sample from an empty replay buffer.");
        }
    }

    private void CheckObservationLength(ReadOnlySpan<float> values, int transitions, string name)
    {
        if (values.Length != transitions * ObservationSize)
        {
            throw new ArgumentException($"Expected {transitions} x {ObservationSize} observation values, got {values.Length}.", name);
        }
    }
}
