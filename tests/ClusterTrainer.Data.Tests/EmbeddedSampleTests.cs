namespace ClusterTrainer.Data.Tests;

public sealed class EmbeddedSampleTests
{
    private static readonly Lazy<DataSplit> Sample = new(EmbeddedSample.Load);

    [Fact]
    public void Should_hold_6000_training_and_1000_test_images_of_28_by_28()
    {
        var split = Sample.Value;

        Assert.Equal((6000, 1000), (split.Train.Count, split.Test.Count));
        Assert.Equal([1, 28, 28], split.Train.SampleShape);
        Assert.Equal([1, 28, 28], split.Test.SampleShape);
        Assert.Equal(6000 * 784, split.Train.Bytes!.Length);
        Assert.Equal("embedded Fashion-MNIST sample (6,000 train / 1,000 test)", split.Source);
    }

    [Fact]
    public void Should_have_labels_in_range_and_every_class_in_training()
    {
        var split = Sample.Value;

        Assert.All(split.Train.Labels.Concat(split.Test.Labels), label => Assert.InRange(label, 0, 9));
        Assert.Equal(Enumerable.Range(0, 10), split.Train.Labels.Distinct().Order());
        Assert.Equal(10, split.Train.ClassNames!.Count);
    }

    [Fact]
    public void Should_hold_real_images_rather_than_blank_or_repeated_ones()
    {
        var train = Sample.Value.Train;

        var first = train.Bytes![..784];
        var second = train.Bytes[784..1568];
        Assert.Contains(first, value => value > 128);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Should_be_what_the_locator_falls_back_to()
    {
        var split = new DataLocator(null, null).Load(explicitPath: null);

        Assert.Equal(Sample.Value.Source, split.Source);
        Assert.Equal(Sample.Value.Train.Labels, split.Train.Labels);
    }
}
