using ClusterTrainer.Rl.Exploration;

namespace ClusterTrainer.Rl.Dqn;

/// <summary>
/// The Double DQN learning target (van Hasselt et al., 2016) on plain arrays, the reference the tensor
/// implementation is checked against: the online network chooses the next action and the target
/// network values it, which removes most of the overestimation of taking the max of one network.
/// </summary>
public static class DoubleDqnTargets
{
    /// <summary>
    /// Writes y = r + gamma * (1 - terminated) * Qtarget(s', argmax_a Qonline(s', a)) for each row.
    /// Only termination zeroes the future: a transition cut by the time limit is passed with
    /// terminated = false and bootstraps, because the state it stopped in still had a future.
    /// </summary>
    /// <param name="rewards">One reward per transition.</param>
    /// <param name="terminated">One flag per transition: the next state is terminal.</param>
    /// <param name="gamma">The discount factor.</param>
    /// <param name="onlineNextQ">The online network's Q values for the next states, row-major (batch x actions).</param>
    /// <param name="targetNextQ">The target network's Q values for the next states, same layout.</param>
    /// <param name="targets">Receives one target per transition.</param>
    public static void Compute(
        ReadOnlySpan<float> rewards,
        ReadOnlySpan<bool> terminated,
        double gamma,
        ReadOnlySpan<float> onlineNextQ,
        ReadOnlySpan<float> targetNextQ,
        Span<float> targets)
    {
        var batch = rewards.Length;
        if (terminated.Length != batch || targets.Length != batch)
        {
            throw new ArgumentException($"Rewards, terminated flags and targets must have the same length; got {batch}, {terminated.Length} and {targets.Length}.");
        }

        if (batch == 0)
        {
            return;
        }

        if (onlineNextQ.Length != targetNextQ.Length || onlineNextQ.Length % batch != 0 || onlineNextQ.Length == 0)
        {
            throw new ArgumentException(
                $"Both Q tables must be {batch} x actions; got {onlineNextQ.Length} and {targetNextQ.Length} values.");
        }

        var actions = onlineNextQ.Length / batch;
        for (var row = 0; row < batch; row++)
        {
            var next = ActionValues.ArgMax(onlineNextQ.Slice(row * actions, actions));
            var future = terminated[row] ? 0.0 : gamma * targetNextQ[(row * actions) + next];
            targets[row] = (float)(rewards[row] + future);
        }
    }
}
