using ClusterTrainer.Rl.Environments;

namespace ClusterTrainer.Rl.Tests.Environments;

public class EnvironmentCatalogTests
{
    [Theory]
    [InlineData("cartpole", "CartPole-v1", 4, 2, 500, 475)]
    [InlineData("acrobot", "Acrobot-v1", 6, 3, 500, -100)]
    [InlineData("mountaincar", "MountainCar-v0", 2, 3, 200, -110)]
    public void Catalog_builds_each_environment_with_its_shape_limit_and_solved_threshold(
        string name, string id, int observationSize, int actionCount, int maxSteps, double solvedThreshold)
    {
        var spec = EnvironmentCatalog.Get(name);
        var environment = EnvironmentCatalog.Create(name);

        Assert.Equal(id, spec.Id);
        Assert.Equal(solvedThreshold, spec.SolvedThreshold);
        Assert.Equal(id, environment.Id);
        Assert.Equal(observationSize, environment.ObservationSize);
        Assert.Equal(actionCount, environment.ActionCount);
        Assert.Equal(maxSteps, environment.MaxEpisodeSteps);
        Assert.Equal(observationSize, environment.Reset(0).Length);
    }

    [Fact]
    public void Catalog_ignores_case()
    {
        Assert.Equal("CartPole-v1", EnvironmentCatalog.Create("CartPole").Id);
    }

    [Fact]
    public void Catalog_names_the_bad_name_and_the_valid_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => EnvironmentCatalog.Create("pendulum"));

        Assert.Contains("'pendulum'", error.Message, StringComparison.Ordinal);
        Assert.Contains("cartpole, acrobot, mountaincar", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_creates_independent_instances()
    {
        var first = EnvironmentCatalog.Create("cartpole");
        var second = EnvironmentCatalog.Create("cartpole");
        first.Reset(1);

        Assert.NotSame(first, second);
        Assert.Throws<InvalidOperationException>(() => second.Step(0));
    }
}
