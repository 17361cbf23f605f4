using ClusterTrainer.Rl.Environments;
using ClusterTrainer.Rl.Exploration;

namespace ClusterTrainer.Rl.Dqn;

/// <summary>
/// What a collector does, without the actor: steps M copies of an environment with an epsilon-greedy
/// policy until its quota of transitions is collected. Stores the true next observation of each
/// transition, and marks a time-limit cut as not terminated, so it bootstraps.
/// </summary>
/// <remarks>Not thread-safe; a collector uses it from its own thread.</remarks>
public sealed class ExperienceCollector
{
    private readonly VectorEnvironment _environments;
    private readonly CollectorEpsilon _epsilon;
    private readonly Random _random;
    private float[] _observations;

    public ExperienceCollector(Func<IEnvironment> createEnvironment, int copies, int seed, CollectorEpsilon epsilon, long quota)
    {
        ArgumentNullException.ThrowIfNull(epsilon);
        ArgumentOutOfRangeException.ThrowIfLessThan(quota, 1);
        _environments = new VectorEnvironment(createEnvironment, copies, seed);
        _epsilon = epsilon;
        // A stream separate from the environments', so changing the policy cannot change the episodes' starts.
        _random = new Random(unchecked((seed * 31) + 17));
        _observations = _environments.Reset();
        Quota = quota;
    }

    public long Quota { get; }

    /// <summary>Transitions collected so far.</summary>
    public long Steps { get; private set; }

    public bool IsFinished => Steps >= Quota;

    public int ObservationSize => _environments.ObservationSize;

    public int ActionCount => _environments.ActionCount;

    /// <summary>The epsilon the next step will use.</summary>
    public double CurrentEpsilon => _epsilon.At(Steps);

    /// <summary>
    /// Steps every copy up to <paramref name="vectorSteps"/> times (fewer at the end of the quota, where
    /// the surplus copies' transitions are dropped so the run's total is exact).
    /// </summary>
    public ExperienceChunk Collect(int vectorSteps, QFunction qValues)
    {
        ArgumentNullException.ThrowIfNull(qValues);
        ArgumentOutOfRangeException.ThrowIfLessThan(vectorSteps, 1);
        var copies = _environments.Count;
        var size = ObservationSize;
        var capacity = (int)Math.Min((long)vectorSteps * copies, Quota - Steps);
        var observations = new float[capacity * size];
        var nextObservations = new float[capacity * size];
        var actions = new int[capacity];
        var rewards = new float[capacity];
        var terminated = new bool[capacity];
        var returns = new List<double>();
        var lengths = new List<int>();
        var stepActions = new int[copies];
        var count = 0;

        while (count < capacity)
        {
            var q = qValues(_observations, copies);
            var epsilon = _epsilon.At(Steps);
            for (var copy = 0; copy < copies; copy++)
            {
                stepActions[copy] = EpsilonGreedy.SelectAction(q.AsSpan(copy * ActionCount, ActionCount), epsilon, _random);
            }

            var result = _environments.Step(stepActions);
            var kept = Math.Min(copies, capacity - count);
            Array.Copy(_observations, 0, observations, count * size, kept * size);
            Array.Copy(result.NextObservations, 0, nextObservations, count * size, kept * size);
            Array.Copy(stepActions, 0, actions, count, kept);
            Array.Copy(result.Rewards, 0, rewards, count, kept);
            Array.Copy(result.Terminated, 0, terminated, count, kept);
            foreach (var episode in result.CompletedEpisodes)
            {
                if (episode.CopyIndex < kept)
                {
                    returns.Add(episode.Return);
                    lengths.Add(episode.Length);
                }
            }

            count += kept;
            Steps += kept;
            _observations = result.Observations;
        }

        return new ExperienceChunk(observations, actions, rewards, nextObservations, terminated, [.. returns], [.. lengths]);
    }
}
