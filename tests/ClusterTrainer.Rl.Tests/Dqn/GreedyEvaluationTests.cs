using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Environments;

namespace ClusterTrainer.Rl.Tests.Dqn;

public class GreedyEvaluationTests
{
    [Fact]
    public void A_balancing_controller_should_score_500_on_every_episode()
    {
        var returns = GreedyEvaluation.Run(() => new CartPole(), 20, seed: 3, (obs, rows) =>
        {
            var q = new float[rows * 2];
            for (var row = 0; row < rows; row++)
            {
                q[(row * 2) + (obs[(row * 4) + 2] + (0.5f * obs[(row * 4) + 3]) > 0 ? 1 : 0)] = 1;
            }

            return q;
        });

        Assert.Equal(20, returns.Length);
        Assert.All(returns, r => Assert.Equal(500, r));
    }

    [Fact]
    public void Always_pushing_one_way_should_fail_fast()
    {
        var returns = GreedyEvaluation.Run(() => new CartPole(), 10, seed: 3, (_, rows) => Enumerable.Range(0, rows).SelectMany(_ => new[] { 1f, 0f }).ToArray());

        Assert.All(returns, r => Assert.InRange(r, 5, 20));
    }

    [Fact]
    public void The_same_seed_should_give_the_same_episodes()
    {
        static float[] Left(float[] obs, int rows) => new float[rows * 3];

        var first = GreedyEvaluation.Run(() => new Acrobot(), 3, seed: 9, Left);
        var second = GreedyEvaluation.Run(() => new Acrobot(), 3, seed: 9, Left);

        Assert.Equal(first, second);
        Assert.All(first, r => Assert.Equal(-500, r));
    }
}
