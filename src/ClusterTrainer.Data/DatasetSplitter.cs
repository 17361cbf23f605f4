using System.Globalization;

namespace ClusterTrainer.Data;

/// <summary>
/// Splits one dataset into train and test sets for sources that ship no separate test set (CSV files).
/// The same seed gives the same split, so runs stay comparable.
/// </summary>
public static class DatasetSplitter
{
    /// <summary>Shuffles with <c>new Random(seed)</c> and puts the first round(count × testFraction) samples into the test set.</summary>
    public static DataSplit Split(Dataset data, double testFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must lie strictly between 0 and 1.");
        }

        if (data.Count < 2)
        {
            throw new ArgumentException($"Dataset '{data.Name}' has {data.Count} sample(s); a split needs at least 2.", nameof(data));
        }

        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(seed).Shuffle(order);

        // Both sides keep at least one sample, so a tiny file still yields something to evaluate on.
        var testCount = Math.Clamp((int)Math.Round(data.Count * testFraction), 1, data.Count - 1);
        var test = Gather(data, order.AsSpan(0, testCount));
        var train = Gather(data, order.AsSpan(testCount));
        var source = string.Create(CultureInfo.InvariantCulture, $"{data.Name}, split {train.Count:N0} train / {test.Count:N0} test with seed {seed}");
        return new DataSplit(train, test, source);
    }

    private static Dataset Gather(Dataset data, ReadOnlySpan<int> indices)
    {
        var batch = SampleBatch.Gather(data, indices);
        return batch.Bytes is not null
            ? new Dataset(data.Name, data.SampleShape, batch.Bytes, batch.Labels, data.ClassCount) { ClassNames = data.ClassNames }
            : new Dataset(data.Name, data.SampleShape, batch.Values!, batch.Labels, data.ClassCount) { ClassNames = data.ClassNames };
    }
}
