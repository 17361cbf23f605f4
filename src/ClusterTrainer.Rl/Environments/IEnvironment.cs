namespace ClusterTrainer.Rl.Environments;

/// <summary>
/// An episodic environment with a discrete action space, in the Gymnasium style:
/// <see cref="Reset(Random)"/> starts an episode and <see cref="Step(int)"/> advances it.
/// </summary>
/// <remarks>Instances hold mutable episode state and are not thread-safe.</remarks>
public interface IEnvironment
{
    /// <summary>The Gymnasium id this environment reproduces, e.g. "CartPole-v1".</summary>
    string Id { get; }

    int ObservationSize { get; }

    int ActionCount { get; }

    /// <summary>The time limit: the step with this number is reported as truncated.</summary>
    int MaxEpisodeSteps { get; }

    /// <summary>Starts a new episode, drawing the initial state from <paramref name="random"/>.</summary>
    float[] Reset(Random random);

    /// <summary>
    /// Applies <paramref name="action"/> (0 to <see cref="ActionCount"/> - 1). Throws once the episode
    /// has ended until <see cref="Reset(Random)"/> is called, so a missed reset cannot go unnoticed.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage(
        "Naming",
        "CA1716:Identifiers should not match keywords",
        Justification = "Step is the Gymnasium verb every reader knows; no Visual Basic implementers are expected.")]
    StepResult Step(int action);
}
