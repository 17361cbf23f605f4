namespace ClusterTrainer.Data.Tests;

public sealed class DatasetSplitterTests
{
    [Fact]
    public void Should_split_by_fraction_keeping_every_sample_once_with_its_label()
    {
        var data = Numbered(50);

        var split = DatasetSplitter.Split(data, 0.2, seed: 7);

        Assert.Equal((40, 10), (split.Train.Count, split.Test.Count));
        var ids = split.Train.Values!.Where((_, i) => i % 2 == 0).Concat(split.Test.Values!.Where((_, i) => i % 2 == 0));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (float)i), ids.Order());
        foreach (var part in new[] { split.Train, split.Test })
        {
            for (var i = 0; i < part.Count; i++)
            {
                Assert.Equal((int)part.Values![2 * i] % 3, part.Labels[i]);
                Assert.Equal(part.Values[2 * i] * 10, part.Values[(2 * i) + 1]);
            }
        }
    }

    [Fact]
    public void Should_give_the_same_split_for_the_same_seed_and_another_for_another_seed()
    {
        var data = Numbered(50);

        var first = DatasetSplitter.Split(data, 0.2, seed: 1);
        var again = DatasetSplitter.Split(data, 0.2, seed: 1);
        var other = DatasetSplitter.Split(data, 0.2, seed: 2);

        Assert.Equal(first.Test.Values, again.Test.Values);
        Assert.NotEqual(first.Test.Values, other.Test.Values);
    }

    [Fact]
    public void Should_keep_class_names_and_shape()
    {
        var data = new Dataset("named", [2], new float[8], [0, 1, 0, 1], 2) { ClassNames = ["a", "b"] };

        var split = DatasetSplitter.Split(data, 0.5, seed: 0);

        Assert.Equal(["a", "b"], split.Train.ClassNames);
        Assert.Equal(["a", "b"], split.Test.ClassNames);
        Assert.Equal([2], split.Test.SampleShape);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Should_reject_a_fraction_outside_zero_to_one(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplitter.Split(Numbered(10), fraction, seed: 0));
    }

    /// <summary>Sample i holds features (i, 10·i) and label i mod 3, so each sample's origin can be checked.</summary>
    private static Dataset Numbered(int count) =>
        new("numbered", [2], Enumerable.Range(0, count).SelectMany(i => new[] { (float)i, i * 10f }).ToArray(), Enumerable.Range(0, count).Select(i => i % 3).ToArray(), 3);
}
