using ClusterTrainer.Rl.Exploration;

namespace ClusterTrainer.Rl.Tests.Exploration;

public class EpsilonGreedyTests
{
    [Fact]
    public void EpsilonGreedy_with_epsilon_0_always_takes_the_best_action()
    {
        var random = new Random(1);

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(2, EpsilonGreedy.SelectAction([0.1f, -3f, 0.7f, 0.2f], epsilon: 0, random));
        }
    }

    [Fact]
    public void EpsilonGreedy_with_epsilon_1_spreads_over_all_actions()
    {
        var random = new Random(2);
        var counts = new int[4];

        for (var i = 0; i < 4000; i++)
        {
            counts[EpsilonGreedy.SelectAction([0.1f, -3f, 0.7f, 0.2f], epsilon: 1, random)]++;
        }

        Assert.All(counts, count => Assert.InRange(count, 850, 1150));
    }

    [Fact]
    public void ArgMax_breaks_ties_towards_the_lowest_index()
    {
        Assert.Equal(1, ActionValues.ArgMax([0f, 5f, 5f, 1f]));
    }
}
