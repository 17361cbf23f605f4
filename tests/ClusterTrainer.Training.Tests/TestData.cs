using ClusterTrainer.Core;
using ClusterTrainer.Data;

namespace ClusterTrainer.Training.Tests;

/// <summary>The embedded Fashion-MNIST sample the repository ships, loaded once for all tests.</summary>
internal static class TestData
{
    private static readonly Lazy<DataSplit> Sample = new(EmbeddedSample.Load);

    public static DataSplit FashionSample => Sample.Value;

    /// <summary>Dropout keys of samples [first, first + count) of epoch 1 under seed 1, as a worker computes them.</summary>
    public static long[] Keys(int count, int first = 0) => DropoutMask.SampleKeys(1, 1, Enumerable.Range(first, count).ToArray());

    public static DataSplit Small(int train, int test) =>
        FashionSample with { Train = FashionSample.Train.Take(train), Test = FashionSample.Test.Take(test) };
}
