using ClusterTrainer.Rl.Environments;

namespace ClusterTrainer.Rl.Tests.Environments;

public class VectorEnvironmentTests
{
    [Fact]
    public void VectorEnvironment_resets_a_terminated_copy_and_reports_its_true_last_observation()
    {
        var vector = new VectorEnvironment(() => new CartPole(), count: 3, seed: 7);
        vector.Reset();
        int[] pushRight = [1, 1, 1];
        var firstEndStep = new int[3];

        // Always pushing right topples every pole within a few dozen steps.
        for (var step = 1; step <= 100 && firstEndStep.Contains(0); step++)
        {
            var result = vector.Step(pushRight);
            foreach (var episode in result.CompletedEpisodes)
            {
                var copy = episode.CopyIndex;
                if (firstEndStep[copy] != 0)
                {
                    continue;
                }

                firstEndStep[copy] = step;
                Assert.True(episode.Terminated);
                Assert.Equal(step, episode.Length);
                Assert.Equal(step, episode.Return);
                Assert.True(result.Terminated[copy]);

                var last = result.NextObservations.AsSpan(copy * 4, 4).ToArray();
                Assert.True(Math.Abs(last[0]) > 2.4 || Math.Abs(last[2]) > 12 * 2 * Math.PI / 360, "The true next observation is the terminal one.");
                var restarted = result.Observations.AsSpan(copy * 4, 4).ToArray();
                Assert.All(restarted, value => Assert.InRange(value, -0.05f, 0.05f));
            }

            for (var copy = 0; copy < 3; copy++)
            {
                if (!result.Terminated[copy] && !result.Truncated[copy])
                {
                    Assert.Equal(result.NextObservations.AsSpan(copy * 4, 4).ToArray(), result.Observations.AsSpan(copy * 4, 4).ToArray());
                }
            }
        }

        Assert.DoesNotContain(0, firstEndStep);
    }

    [Fact]
    public void VectorEnvironment_counts_a_new_episode_from_its_reset()
    {
        var vector = new VectorEnvironment(() => new CartPole(), count: 1, seed: 2);
        vector.Reset();
        var episodes = new List<(int Step, EpisodeSummary Summary)>();
        for (var step = 1; step <= 200 && episodes.Count < 2; step++)
        {
            episodes.AddRange(vector.Step([1]).CompletedEpisodes.Select(summary => (step, summary)));
        }

        Assert.Equal(2, episodes.Count);
        Assert.Equal(episodes[1].Step - episodes[0].Step, episodes[1].Summary.Length);
        Assert.Equal(episodes[1].Summary.Length, episodes[1].Summary.Return);
    }

    [Fact]
    public void VectorEnvironment_reports_truncation_separately_from_termination()
    {
        var vector = new VectorEnvironment(() => new MountainCar(), count: 2, seed: 11);
        vector.Reset();
        VectorStepResult result;
        var step = 0;
        do
        {
            result = vector.Step([1, 1]);
            step++;
        }
        while (result.CompletedEpisodes.Count == 0);

        Assert.Equal(200, step);
        Assert.Equal([true, true], result.Truncated);
        Assert.Equal([false, false], result.Terminated);
        Assert.All(result.CompletedEpisodes, episode =>
        {
            Assert.False(episode.Terminated);
            Assert.Equal(200, episode.Length);
            Assert.Equal(-200, episode.Return);
        });
        for (var copy = 0; copy < 2; copy++)
        {
            // The stored successor is where the car was after 200 steps, not the fresh start.
            Assert.NotEqual(0f, result.NextObservations[(copy * 2) + 1]);
            Assert.Equal(0f, result.Observations[(copy * 2) + 1]);
            Assert.InRange(result.Observations[copy * 2], -0.6f, -0.4f);
        }
    }

    [Fact]
    public void VectorEnvironment_with_the_same_seed_reproduces_the_same_trajectories()
    {
        var first = Run(seed: 123);
        var second = Run(seed: 123);
        var other = Run(seed: 124);

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void VectorEnvironment_gives_each_copy_its_own_initial_state()
    {
        var observations = new VectorEnvironment(() => new Acrobot(), count: 4, seed: 1).Reset();

        var firstCopies = Enumerable.Range(0, 4).Select(copy => observations[(copy * 6) + 4]).ToArray();
        Assert.Equal(4, firstCopies.Distinct().Count());
    }

    [Fact]
    public void VectorEnvironment_rejects_stepping_before_reset_and_a_wrong_number_of_actions()
    {
        var vector = new VectorEnvironment(() => new CartPole(), count: 2, seed: 0);
        Assert.Throws<InvalidOperationException>(() => vector.Step([0, 0]));
        vector.Reset();
        Assert.Throws<ArgumentException>(() => vector.Step([0]));
    }

    private static List<float> Run(int seed)
    {
        var vector = new VectorEnvironment(() => new CartPole(), count: 4, seed);
        var actions = new Random(99);
        var trace = new List<float>(vector.Reset());
        var chosen = new int[4];
        for (var step = 0; step < 300; step++)
        {
            for (var copy = 0; copy < 4; copy++)
            {
                chosen[copy] = actions.Next(2);
            }

            var result = vector.Step(chosen);
            trace.AddRange(result.Observations);
            trace.AddRange(result.NextObservations);
        }

        return trace;
    }
}
