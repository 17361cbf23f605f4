using ClusterTrainer.Core;
using ClusterTrainer.Data;
using ClusterTrainer.Models;
using TorchSharp;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// Dropout keyed by sample (<see cref="DropoutMask"/>): it changes what a step computes, it is the same for a sample
/// wherever it is computed, and evaluation does not drop anything.
/// </summary>
public class DropoutTests
{
    private static readonly SampleBatch Batch = SampleBatch.Range(TestData.FashionSample.Train, 0, 16);

    [Theory]
    [InlineData(ModelKind.Mlp)]
    [InlineData(ModelKind.Cnn)]
    [InlineData(ModelKind.Rnn)]
    public void Gradients_should_follow_the_sample_keys_only_when_there_is_dropout(ModelKind model)
    {
        var settings = Small(model) with { Dropout = 0.5 };
        Assert.Equal(Gradient(settings, TestData.Keys(16)), Gradient(settings, TestData.Keys(16)));
        Assert.NotEqual(Gradient(settings, TestData.Keys(16)), Gradient(settings, TestData.Keys(16, first: 100)));

        var none = settings with { Dropout = 0 };
        Assert.Equal(Gradient(none, TestData.Keys(16)), Gradient(none, TestData.Keys(16, first: 100)));
        Assert.NotEqual(Gradient(none, TestData.Keys(16)), Gradient(settings, TestData.Keys(16)));
    }

    [Fact]
    public void A_batch_split_in_two_should_get_the_gradient_of_the_whole_batch()
    {
        // What lets N workers compute what one computes: each sample brings its own mask.
        var settings = Small(ModelKind.Cnn) with { Dropout = 0.5 };
        var difference = ReplicaGradient.SplitDifference(settings, Batch, TestData.Keys(16), cut: 10);
        Assert.True(difference < 1e-5, $"max |whole - (first + second)| = {difference:E3}");
    }

    [Fact]
    public void Evaluation_should_drop_nothing()
    {
        var settings = Small(ModelKind.Mlp);
        using var with = new Replica(settings with { Dropout = 0.5 }, [1, 28, 28], 10, initSeed: 3);
        using var without = new Replica(settings with { Dropout = 0 }, [1, 28, 28], 10, initSeed: 3);
        Assert.Equal(without.Checksum(), with.Checksum());
        Assert.Equal(without.Evaluate(Batch), with.Evaluate(Batch));
    }

    [Fact]
    public void Training_a_model_with_dropout_without_sample_keys_should_say_so()
    {
        using var scope = torch.NewDisposeScope();
        using var module = ModelFactory.Create(Small(ModelKind.Mlp) with { Dropout = 0.5 }, [1, 28, 28], 10);
        module.train();
        var error = Assert.Throws<InvalidOperationException>(() => module.forward(torch.rand(4, 1, 28, 28)));
        Assert.Contains("without sample keys", error.Message, StringComparison.Ordinal);
    }

    private static TrainingSettings Small(ModelKind model) =>
        TrainingSettings.DefaultsFor(model) with { Hidden = model == ModelKind.Mlp ? [32, 16] : [16], Threads = 1, Augment = AugmentKind.None };

    private static float[] Gradient(TrainingSettings settings, long[] keys) => ReplicaGradient.Of(settings, Batch, 16, keys);
}
