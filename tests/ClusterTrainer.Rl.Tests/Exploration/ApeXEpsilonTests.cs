using ClusterTrainer.Rl.Exploration;

namespace ClusterTrainer.Rl.Tests.Exploration;

public class ApeXEpsilonTests
{
    [Theory]
    [InlineData(0, 8, 0.4)]
    [InlineData(1, 8, 0.16)] // 0.4^(1 + 7 * 1/7) = 0.4^2
    [InlineData(3, 8, 0.0256)] // 0.4^(1 + 7 * 3/7) = 0.4^4
    [InlineData(7, 8, 0.00065536)] // 0.4^(1 + 7) = 0.4^8
    [InlineData(0, 1, 0.4)]
    public void ApeX_epsilon_is_base_to_the_power_1_plus_alpha_i_over_n_minus_1(int actor, int actors, double expected)
    {
        Assert.Equal(expected, ApeXEpsilon.For(actor, actors), 1e-12);
    }

    [Fact]
    public void ApeX_epsilon_uses_the_given_base_and_alpha()
    {
        // 0.5^(1 + 2 * 1/2) = 0.25
        Assert.Equal(0.25, ApeXEpsilon.For(1, 3, baseEpsilon: 0.5, alpha: 2), 1e-12);
    }

    [Fact]
    public void ApeX_epsilon_falls_from_the_first_actor_to_the_last()
    {
        var values = Enumerable.Range(0, 16).Select(i => ApeXEpsilon.For(i, 16)).ToArray();

        Assert.Equal(values.OrderByDescending(value => value), values);
    }

    [Theory]
    [InlineData(-1, 4)]
    [InlineData(4, 4)]
    [InlineData(0, 0)]
    public void ApeX_epsilon_rejects_an_actor_outside_the_fleet(int actor, int actors)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ApeXEpsilon.For(actor, actors));
    }
}
