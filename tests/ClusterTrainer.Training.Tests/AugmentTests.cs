using ClusterTrainer.Core;
using ClusterTrainer.Data;
using ClusterTrainer.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// <c>--augment flip</c>: each training image is mirrored by the draw of its own key (so a batch split over workers
/// trains what one worker trains), and evaluation averages each test image's and its mirror's probabilities.
/// </summary>
public class AugmentTests
{
    private const int Count = 16;
    private static readonly SampleBatch Batch = SampleBatch.Range(TestData.FashionSample.Train, 0, Count);

    [Fact]
    public void Mirror_should_reverse_the_columns_of_every_image()
    {
        using var scope = NewDisposeScope();
        var images = arange(12, ScalarType.Float32).reshape(2, 1, 2, 3);
        var mirrored = ImageMirror.Mirror(images);
        Assert.Equal([2f, 1f, 0f, 5f, 4f, 3f, 8f, 7f, 6f, 11f, 10f, 9f], mirrored.data<float>().ToArray());
    }

    [Fact]
    public void A_training_batch_should_mirror_exactly_the_samples_whose_keys_draw_it()
    {
        using var scope = NewDisposeScope();
        var keys = TestData.Keys(Count);
        var drawn = MirrorDraw.For(keys);
        Assert.Contains(true, drawn);
        Assert.Contains(false, drawn);
        var (images, _) = BatchTensors.Create(Batch, [1, 28, 28], CPU);
        var trained = ImageMirror.Train(images, keys);
        for (var i = 0; i < Count; i++)
        {
            var expected = drawn[i] ? ImageMirror.Mirror(images[i].unsqueeze(0))[0] : images[i];
            Assert.True(trained[i].eq(expected).all().item<bool>(), $"sample {i} (mirrored: {drawn[i]})");
        }

        Assert.Throws<ArgumentException>(() => ImageMirror.Train(images, keys[..5]));
    }

    [Fact]
    public void Gradients_should_follow_the_sample_keys_and_a_split_batch_should_get_the_whole_batchs()
    {
        var flip = Small();
        var keys = TestData.Keys(Count);
        var whole = Gradient(flip, keys);
        Assert.Equal(whole, Gradient(flip, keys));
        Assert.NotEqual(whole, Gradient(flip, TestData.Keys(Count, first: 100)));
        Assert.NotEqual(whole, Gradient(flip with { Augment = AugmentKind.None }, keys));

        var difference = ReplicaGradient.SplitDifference(flip, Batch, keys, cut: 10);
        Assert.True(difference < 1e-5, $"max |whole - (first + second)| = {difference:E3}");
    }

    [Fact]
    public void Evaluation_should_average_the_probabilities_of_each_image_and_its_mirror()
    {
        var batch = SampleBatch.Range(TestData.FashionSample.Test, 0, 64);
        using var flip = new Replica(Small(), [1, 28, 28], 10, initSeed: 3);
        using var plain = new Replica(Small() with { Augment = AugmentKind.None }, [1, 28, 28], 10, initSeed: 3);
        Assert.Equal(plain.Checksum(), flip.Checksum());

        // By hand, from the same parameters: p = (softmax(f(x)) + softmax(f(mirror x))) / 2.
        double expectedLoss;
        int expectedCorrect;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            plain.Model.eval();
            var (images, labels) = BatchTensors.Create(batch, [1, 28, 28], CPU);
            var p = (plain.Model.forward(images).softmax(1) + plain.Model.forward(images.flip(3)).softmax(1)) / 2;
            expectedLoss = -p.gather(1, labels.unsqueeze(1)).log().sum().item<float>();
            expectedCorrect = (int)p.argmax(1).eq(labels).sum().item<long>();
        }

        var (correct, loss) = flip.Evaluate(batch);
        Assert.Equal(expectedCorrect, correct);
        Assert.Equal(expectedLoss, loss, 0.01);
        Assert.NotEqual(plain.Evaluate(batch).LossSum, loss, 0.01);
    }

    [Fact]
    public void Flip_on_data_that_are_not_images_should_be_refused_by_name()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Tabular) with { Augment = AugmentKind.Flip };
        var refused = Assert.Throws<SettingsException>(() => ModelFactory.Create(settings, [4], 3));
        Assert.Equal("--augment", refused.Setting);
        Assert.Contains("--augment none", refused.Message, StringComparison.Ordinal);
    }

    private static TrainingSettings Small() =>
        TrainingSettings.DefaultsFor(ModelKind.Cnn) with { Hidden = [16], Threads = 1, Dropout = 0, Augment = AugmentKind.Flip };

    private static float[] Gradient(TrainingSettings settings, long[] keys) => ReplicaGradient.Of(settings, Batch, Count, keys);
}
