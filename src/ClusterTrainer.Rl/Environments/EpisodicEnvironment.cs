namespace ClusterTrainer.Rl.Environments;

/// <summary>
/// Episode bookkeeping shared by the built-in environments (action checks, the time limit, refusing
/// to step a finished episode), so each subclass only describes its dynamics. The time limit lives
/// here rather than in a wrapper because every environment in this project has one.
/// </summary>
public abstract class EpisodicEnvironment : IEnvironment
{
    private readonly double[] _state;
    private int _elapsedSteps;
    private bool _needsReset = true;

    protected EpisodicEnvironment(string id, int stateSize, int observationSize, int actionCount, int maxEpisodeSteps)
    {
        Id = id;
        _state = new double[stateSize];
        ObservationSize = observationSize;
        ActionCount = actionCount;
        MaxEpisodeSteps = maxEpisodeSteps;
    }

    public string Id { get; }

    public int ObservationSize { get; }

    public int ActionCount { get; }

    public int MaxEpisodeSteps { get; }

    /// <summary>How many values <see cref="GetState"/> returns and <see cref="ResetTo"/> expects.</summary>
    public int StateSize => _state.Length;

    /// <summary>Steps taken in the current episode.</summary>
    public int ElapsedSteps => _elapsedSteps;

    /// <summary>The physical state in double precision (the observation is a float view of it).</summary>
    protected Span<double> State => _state;

    public float[] Reset(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ResetState(random);
        return BeginEpisode();
    }

    /// <summary>
    /// Starts an episode from an exact physical state instead of a random one, for evaluation from
    /// chosen situations and for checking the dynamics against hand calculations.
    /// </summary>
    public float[] ResetTo(ReadOnlySpan<double> state)
    {
        if (state.Length != _state.Length)
        {
            throw new ArgumentException($"{Id} has a state of {_state.Length} values, got {state.Length}.", nameof(state));
        }

        state.CopyTo(_state);
        return BeginEpisode();
    }

    /// <summary>A copy of the physical state, in the layout <see cref="ResetTo"/> accepts.</summary>
    public double[] GetState() => (double[])_state.Clone();

    public StepResult Step(int action)
    {
        if (_needsReset)
        {
            throw new InvalidOperationException($"{Id}: the episode has not started or has ended; call Reset first.");
        }

        if (action < 0 || action >= ActionCount)
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, $"{Id} accepts actions 0 to {ActionCount - 1}.");
        }

        var (reward, terminated) = Advance(action);
        _elapsedSteps++;
        // As Gymnasium's TimeLimit does, the limit is checked independently of termination, so the
        // last allowed step may report both flags.
        var truncated = _elapsedSteps >= MaxEpisodeSteps;
        _needsReset = terminated || truncated;
        return new StepResult(Observe(), reward, terminated, truncated);
    }

    /// <summary>Draws the initial physical state into <see cref="State"/>.</summary>
    protected abstract void ResetState(Random random);

    /// <summary>Moves <see cref="State"/> one step under a validated action.</summary>
    protected abstract (float Reward, bool Terminated) Advance(int action);

    protected abstract float[] Observe();

    /// <summary>A uniform draw from [low, high), the counterpart of numpy's uniform.</summary>
    protected static double Uniform(Random random, double low, double high)
    {
        ArgumentNullException.ThrowIfNull(random);
        return low + ((high - low) * random.NextDouble());
    }

    private float[] BeginEpisode()
    {
        _elapsedSteps = 0;
        _needsReset = false;
        return Observe();
    }
}
