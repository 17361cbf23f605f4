using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Rl.Tests.Dqn;

public class DqnSettingsTests
{
    [Theory]
    [InlineData("cartpole")]
    [InlineData("acrobot")]
    [InlineData("MountainCar")]
    public void The_documented_defaults_should_be_valid(string environment)
    {
        var settings = DqnSettings.DefaultsFor(environment).Validate();

        Assert.Equal(environment.ToLowerInvariant(), settings.Environment);
    }

    [Fact]
    public void CartPole_defaults_should_be_the_zoo_settings()
    {
        var settings = DqnSettings.DefaultsFor("cartpole");

        Assert.Equal(2.3e-3, settings.LearningRate);
        Assert.Equal(64, settings.BatchSize);
        Assert.Equal(100_000, settings.BufferSize);
        Assert.Equal(1000, settings.LearningStarts);
        Assert.Equal(0.99, settings.Gamma);
        Assert.Equal(128, settings.TargetUpdateInterval);
        Assert.Equal(0.5, settings.ReplayRatio);
        Assert.Equal(0.16, settings.ExplorationFraction);
        Assert.Equal(0.04, settings.FinalEpsilon);
        Assert.Equal([256, 256], settings.Hidden);
    }

    public static TheoryData<DqnSettings, string> Invalid => new()
    {
        { new DqnSettings { Collectors = 0 }, "collectors" },
        { new DqnSettings { Steps = 3, Collectors = 2, EnvsPerCollector = 2 }, "steps" },
        { new DqnSettings { Hidden = [] }, "hidden" },
        { new DqnSettings { LearningRate = 0 }, "lr" },
        { new DqnSettings { BufferSize = 10, BatchSize = 64 }, "buffer-size" },
        { new DqnSettings { LearningStarts = -1 }, "learning-starts" },
        // A warm-up as long as the run is reported against the steps, the setting a person can change.
        { new DqnSettings { LearningStarts = 100_000 }, "steps" },
        { new DqnSettings { Gamma = 1.5 }, "gamma" },
        { new DqnSettings { ReplayRatio = -1 }, "replay-ratio" },
        { new DqnSettings { ReplayRatio = 0.001, MaxLag = 512 }, "replay-ratio" },
        { new DqnSettings { FinalEpsilon = 2 }, "final-epsilon" },
        { new DqnSettings { EvalEpisodes = 0 }, "eval-episodes" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validation_should_name_the_setting(DqnSettings settings, string setting)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => settings.Validate());

        Assert.Equal(setting, error.ParamName);
        Assert.Contains("--" + setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_environment_should_be_rejected()
    {
        Assert.ThrowsAny<ArgumentException>(() => new DqnSettings { Environment = "pong" }.Validate());
    }

    [Theory]
    [InlineData(100_000, 3)]
    [InlineData(10, 4)]
    [InlineData(7, 7)]
    public void Quotas_should_add_up_to_the_step_budget(long steps, int collectors)
    {
        var settings = new DqnSettings { Steps = steps, Collectors = collectors, EnvsPerCollector = 1 };

        var quotas = Enumerable.Range(0, collectors).Select(settings.QuotaOf).ToArray();

        Assert.Equal(steps, quotas.Sum());
        Assert.True(quotas.Max() - quotas.Min() <= 1);
    }
}
