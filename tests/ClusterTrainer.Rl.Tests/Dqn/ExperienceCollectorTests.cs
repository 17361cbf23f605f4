using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Environments;
using ClusterTrainer.Rl.Exploration;

namespace ClusterTrainer.Rl.Tests.Dqn;

public class ExperienceCollectorTests
{
    /// <summary>A fixed controller: push the cart towards where the pole leans (Q favours that action).</summary>
    private static float[] LeanController(float[] observations, int rows)
    {
        var q = new float[rows * 2];
        for (var row = 0; row < rows; row++)
        {
            var lean = observations[(row * 4) + 2] + (0.5f * observations[(row * 4) + 3]);
            q[(row * 2) + (lean > 0 ? 1 : 0)] = 1;
        }

        return q;
    }

    private static CollectorEpsilon Greedy(long quota) => new(0, 1, 0, null, 0, quota);

    [Fact]
    public void Should_stop_exactly_at_the_quota()
    {
        var collector = new ExperienceCollector(() => new CartPole(), copies: 3, seed: 5, Greedy(10), quota: 10);

        var first = collector.Collect(2, LeanController);
        var second = collector.Collect(2, LeanController);

        Assert.Equal(6, first.Count);
        Assert.Equal(4, second.Count);
        Assert.Equal(4 * 4, second.Observations.Length);
        Assert.Equal(4 * 4, second.NextObservations.Length);
        Assert.True(collector.IsFinished);
    }

    [Fact]
    public void Next_observations_should_continue_from_observations_within_an_episode()
    {
        var collector = new ExperienceCollector(() => new CartPole(), copies: 1, seed: 5, Greedy(50), quota: 50);

        var chunk = collector.Collect(50, LeanController);

        for (var i = 0; i + 1 < chunk.Count; i++)
        {
            if (!chunk.Terminated[i])
            {
                Assert.Equal(chunk.NextObservations.AsSpan(i * 4, 4).ToArray(), chunk.Observations.AsSpan((i + 1) * 4, 4).ToArray());
            }
        }
    }

    [Fact]
    public void A_time_limit_cut_should_be_stored_as_not_terminated()
    {
        // The lean controller balances CartPole to the 500-step limit.
        var collector = new ExperienceCollector(() => new CartPole(), copies: 1, seed: 5, Greedy(600), quota: 600);

        var chunk = collector.Collect(600, LeanController);

        var episode = Assert.Single(chunk.EpisodeReturns);
        Assert.Equal(500, episode);
        Assert.Equal(500, Assert.Single(chunk.EpisodeLengths));
        Assert.DoesNotContain(true, chunk.Terminated);
    }

    [Fact]
    public void A_fully_exploring_collector_should_ignore_the_q_values()
    {
        var epsilon = new CollectorEpsilon(0, 1, 1.0, null, 0, 1000);
        var collector = new ExperienceCollector(() => new CartPole(), copies: 4, seed: 5, epsilon, quota: 1000);

        var chunk = collector.Collect(250, (_, rows) => Enumerable.Range(0, rows).SelectMany(_ => new[] { 1f, 0f }).ToArray());

        var rightShare = chunk.Actions.Average();
        Assert.InRange(rightShare, 0.4, 0.6);
        Assert.NotEmpty(chunk.EpisodeReturns);
        Assert.True(chunk.EpisodeReturns.Average() < 50, "random play should fail quickly");
    }
}
