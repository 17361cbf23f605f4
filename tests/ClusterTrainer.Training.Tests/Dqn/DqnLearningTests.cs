using Akka.TestKit.Xunit2;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Training.Tests.Dqn;

public sealed class DqnLearningTests : TestKit
{
    [Fact]
    public async Task A_short_cartpole_run_should_reach_a_greedy_mean_return_of_150()
    {
        // 15k steps (a sixth of the documented budget) with the documented CartPole settings: about 15 s on 2 cores.
        var settings = DqnSettings.DefaultsFor("cartpole") with { Steps = 15_000, EvalInterval = 2500, EvalEpisodes = 20, FinalEvalEpisodes = 50, Seed = 1 };

        var result = await LocalDqnCluster.RunAsync(Sys, settings, Serilog.Core.Logger.None);

        Assert.Equal(15_000, result.EnvSteps);
        Assert.Equal((long)((15_000 - settings.LearningStarts) * settings.ReplayRatio), result.Updates);
        Assert.Equal(50, result.FinalEvalReturns.Length);
        Assert.True(result.FinalEvalMean >= 150, $"greedy mean return {result.FinalEvalMean:F1} after {result.EnvSteps} steps");
    }
}
