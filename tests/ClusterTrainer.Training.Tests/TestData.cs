using ClusterTrainer.Data;

namespace ClusterTrainer.Training.Tests;

/// <summary>The embedded Fashion-MNIST sample the repository ships, loaded once for all tests.</summary>
internal static class TestData
{
    private static readonly Lazy<DataSplit> Sample = new(EmbeddedSample.Load);

    public static DataSplit FashionSample => Sample.Value;

    public static DataSplit Small(int train, int test) =>
        FashionSample with { Train = FashionSample.Train.Take(train), Test = FashionSample.Test.Take(test) };
}
