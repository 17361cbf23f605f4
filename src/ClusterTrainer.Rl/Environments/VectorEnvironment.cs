namespace ClusterTrainer.Rl.Environments;

/// <summary>
/// Several copies of one environment stepped together, each resetting itself when its episode ends.
/// Every copy draws its episode seeds from its own Random, derived from the constructor's seed, so a
/// run is reproducible from that one number. Not thread-safe.
/// </summary>
public sealed class VectorEnvironment
{
    private readonly IEnvironment[] _copies;
    private readonly Random[] _seedSources;
    private readonly double[] _returns;
    private readonly int[] _lengths;
    private bool _started;

    public VectorEnvironment(Func<IEnvironment> createCopy, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(createCopy);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);

        var seeds = new Random(seed);
        _copies = new IEnvironment[count];
        _seedSources = new Random[count];
        for (var i = 0; i < count; i++)
        {
            _copies[i] = createCopy();
            _seedSources[i] = new Random(seeds.Next());
        }

        var first = _copies[0];
        if (_copies.Any(copy => copy.ObservationSize != first.ObservationSize || copy.ActionCount != first.ActionCount))
        {
            throw new ArgumentException("All copies must have the same observation size and action count.", nameof(createCopy));
        }

        ObservationSize = first.ObservationSize;
        ActionCount = first.ActionCount;
        Id = first.Id;
        _returns = new double[count];
        _lengths = new int[count];
    }

    public string Id { get; }

    public int Count => _copies.Length;

    public int ObservationSize { get; }

    public int ActionCount { get; }

    /// <summary>
    /// Starts a new episode in every copy and returns their observations, flat and copy-major. Seeds
    /// continue from where each copy's Random is, so calling it again gives new episodes.
    /// </summary>
    public float[] Reset()
    {
        var observations = new float[Count * ObservationSize];
        for (var i = 0; i < Count; i++)
        {
            StartEpisode(i, observations);
        }

        _started = true;
        return observations;
    }

    /// <summary>Steps every copy with its action (one per copy) and resets the copies that finished.</summary>
    public VectorStepResult Step(ReadOnlySpan<int> actions)
    {
        if (!_started)
        {
            throw new InvalidOperationException("Call Reset before the first Step.");
        }

        if (actions.Length != Count)
        {
            throw new ArgumentException($"Expected {Count} actions, one per copy, got {actions.Length}.", nameof(actions));
        }

        var observations = new float[Count * ObservationSize];
        var nextObservations = new float[Count * ObservationSize];
        var rewards = new float[Count];
        var terminated = new bool[Count];
        var truncated = new bool[Count];
        var completed = new List<EpisodeSummary>();

        for (var i = 0; i < Count; i++)
        {
            var result = _copies[i].Step(actions[i]);
            result.Observation.CopyTo(nextObservations, i * ObservationSize);
            rewards[i] = result.Reward;
            terminated[i] = result.Terminated;
            truncated[i] = result.Truncated;
            _returns[i] += result.Reward;
            _lengths[i]++;

            if (result.Done)
            {
                completed.Add(new EpisodeSummary(i, _returns[i], _lengths[i], result.Terminated));
                StartEpisode(i, observations);
            }
            else
            {
                result.Observation.CopyTo(observations, i * ObservationSize);
            }
        }

        return new VectorStepResult(observations, nextObservations, rewards, terminated, truncated, completed);
    }

    private void StartEpisode(int copy, float[] observations)
    {
        var observation = _copies[copy].Reset(_seedSources[copy].Next());
        observation.CopyTo(observations, copy * ObservationSize);
        _returns[copy] = 0;
        _lengths[copy] = 0;
    }
}
