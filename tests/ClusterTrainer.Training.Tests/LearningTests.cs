using ClusterTrainer.Core;

namespace ClusterTrainer.Training.Tests;

/// <summary>Real training on the shipped Fashion-MNIST sample (6,000 train / 1,000 test), real thresholds.</summary>
public class LearningTests
{
    [Fact]
    public async Task Cnn_should_reach_80_percent_on_the_shipped_sample_within_a_minute()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Cnn) with { Epochs = 4, BatchSize = 50 };
        using var run = new TempDirectory();
        var result = await ClusterRun.TrainAsync(settings, TestData.FashionSample, run.Path);
        Assert.True(result.Summary.TestAccuracy >= 0.80, $"test accuracy {result.Summary.TestAccuracy:P2}");
        Assert.True(result.Summary.TrainSeconds < 60, $"training took {result.Summary.TrainSeconds:F1} s");
        Assert.Equal(4 * 6000, result.Summary.Samples);
    }

    [Fact]
    public async Task Mlp_loss_should_fall_and_accuracy_pass_a_threshold_with_two_workers()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Epochs = 3, Workers = 2 };
        using var run = new TempDirectory();
        var result = await ClusterRun.TrainAsync(settings, TestData.FashionSample, run.Path);
        Assert.Equal(3, result.Epochs.Count);
        Assert.True(result.Epochs[^1].TrainLoss < result.Epochs[0].TrainLoss * 0.8, $"train loss {result.Epochs[0].TrainLoss:F3} -> {result.Epochs[^1].TrainLoss:F3}");
        Assert.True(result.Summary.TestAccuracy >= 0.78, $"test accuracy {result.Summary.TestAccuracy:P2}");
    }

    [Fact]
    public async Task Rnn_should_learn_the_sample_beyond_chance()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Rnn) with { Epochs = 3, BatchSize = 50 };
        using var run = new TempDirectory();
        var result = await ClusterRun.TrainAsync(settings, TestData.FashionSample, run.Path);
        Assert.True(result.Summary.TestAccuracy >= 0.70, $"test accuracy {result.Summary.TestAccuracy:P2}");
    }
}
