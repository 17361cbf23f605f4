using ClusterTrainer.Cli.Client;

namespace ClusterTrainer.Training.Tests.Settings;

/// <summary>Sweep files speak the settings table's keys, and each point's request carries every setting.</summary>
public class SweepFileTests
{
    [Fact]
    public async Task A_point_should_carry_the_keys_the_api_gained_and_zero_as_given()
    {
        using var files = new TempDirectory();
        var path = files.Combine("sweep.yaml");
        await File.WriteAllTextAsync(path, "base: { model: mlp, optimizer: sgd, momentum: 0, lr_floor: 0, dropout: 0, seed: 0, threads: 2, device: cpu, exchange_staging: always, max_classes: 12 }\ngrid:\n  hidden: [[64, 32], 16]\n");

        var points = SweepFile.Load(path);
        SweepValidation.Require(path, points);

        Assert.Equal(["hidden=64,32", "hidden=16"], points.Select(p => p.Name));
        Assert.Equal([64, 32], points[0].Spec.Hidden);
        Assert.Equal([16], points[1].Spec.Hidden);
        var spec = points[0].Spec;
        Assert.True(spec.HasMomentum && spec.Momentum == 0, $"momentum {spec}");
        Assert.True(spec.HasSeed && spec.Seed == 0, $"seed {spec}");
        Assert.True(spec.HasLrFloor && spec.LrFloor == 0, $"lr_floor {spec}");
        Assert.True(spec.HasDropout && spec.Dropout == 0, $"dropout {spec}");
        Assert.Equal(2, spec.Threads);
        Assert.Equal("cpu", spec.Device);
        Assert.Equal("always", spec.ExchangeStaging);
        Assert.Equal(12, spec.MaxClasses);
    }

    [Fact]
    public async Task A_setting_the_optimizer_would_not_use_should_be_refused_naming_the_key_and_point()
    {
        using var files = new TempDirectory();
        var path = files.Combine("sweep.yaml");
        await File.WriteAllTextAsync(path, "base: { model: cnn, momentum: 0.5 }\ngrid:\n  seed: [1]\n");

        var error = Assert.Throws<InvalidDataException>(() => SweepValidation.Require(path, SweepFile.Load(path)));

        Assert.Contains("point 1 (seed=1): momentum: applies to the sgd optimizer only", error.Message, StringComparison.Ordinal);
    }
}
