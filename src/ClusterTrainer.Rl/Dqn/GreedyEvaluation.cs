using ClusterTrainer.Rl.Environments;
using ClusterTrainer.Rl.Exploration;

namespace ClusterTrainer.Rl.Dqn;

/// <summary>Plays whole episodes with the greedy policy (no exploration), all episodes side by side.</summary>
public static class GreedyEvaluation
{
    /// <summary>
    /// Plays <paramref name="episodes"/> episodes whose initial states come from <paramref name="seed"/>
    /// (use seeds the training never used) and returns their undiscounted returns, in episode order.
    /// </summary>
    public static double[] Run(Func<IEnvironment> createEnvironment, int episodes, int seed, QFunction qValues)
    {
        ArgumentNullException.ThrowIfNull(createEnvironment);
        ArgumentNullException.ThrowIfNull(qValues);
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 1);
        var seeds = new Random(seed);
        var environments = new IEnvironment[episodes];
        var current = new float[episodes][];
        var returns = new double[episodes];
        for (var i = 0; i < episodes; i++)
        {
            environments[i] = createEnvironment();
            current[i] = environments[i].Reset(seeds.Next());
        }

        var size = environments[0].ObservationSize;
        var actions = environments[0].ActionCount;
        var active = Enumerable.Range(0, episodes).ToList();
        while (active.Count > 0)
        {
            // One batched forward pass for every episode still running.
            var batch = new float[active.Count * size];
            for (var row = 0; row < active.Count; row++)
            {
                current[active[row]].CopyTo(batch, row * size);
            }

            var q = qValues(batch, active.Count);
            var stillActive = new List<int>(active.Count);
            for (var row = 0; row < active.Count; row++)
            {
                var episode = active[row];
                var result = environments[episode].Step(ActionValues.ArgMax(q.AsSpan(row * actions, actions)));
                returns[episode] += result.Reward;
                current[episode] = result.Observation;
                if (!result.Done)
                {
                    stillActive.Add(episode);
                }
            }

            active = stillActive;
        }

        return returns;
    }
}
