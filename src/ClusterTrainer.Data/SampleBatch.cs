namespace ClusterTrainer.Data;

/// <summary>
/// Samples as a shard serves them: raw values back to back (bytes for images, floats for tabular rows)
/// plus labels. Compact (100 Fashion-MNIST images are 78 kB) and free of tensors, so it can cross an actor
/// or a process boundary.
/// </summary>
public sealed record SampleBatch(byte[]? Bytes, float[]? Values, int[] Labels)
{
    public int Count => Labels.Length;

    public static SampleBatch Gather(Dataset dataset, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var size = dataset.SampleSize;
        var labels = new int[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            labels[i] = dataset.Labels[indices[i]];
        }

        if (dataset.Encoding == SampleEncoding.Bytes)
        {
            var bytes = new byte[indices.Length * size];
            for (var i = 0; i < indices.Length; i++)
            {
                Array.Copy(dataset.Bytes!, (long)indices[i] * size, bytes, (long)i * size, size);
            }

            return new SampleBatch(bytes, null, labels);
        }

        var values = new float[indices.Length * size];
        for (var i = 0; i < indices.Length; i++)
        {
            Array.Copy(dataset.Values!, (long)indices[i] * size, values, (long)i * size, size);
        }

        return new SampleBatch(null, values, labels);
    }

    /// <summary>Samples [start, start + count) in dataset order.</summary>
    public static SampleBatch Range(Dataset dataset, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var size = dataset.SampleSize;
        var labels = dataset.Labels.AsSpan(start, count).ToArray();
        return dataset.Encoding == SampleEncoding.Bytes
            ? new SampleBatch(dataset.Bytes.AsSpan(start * size, count * size).ToArray(), null, labels)
            : new SampleBatch(null, dataset.Values.AsSpan(start * size, count * size).ToArray(), labels);
    }

    /// <summary>Samples [start, start + count) of this batch, in order (a micro-batch of it).</summary>
    public SampleBatch Slice(int start, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, Count);
        if (start == 0 && count == Count)
        {
            return this;
        }

        var labels = Labels.AsSpan(start, count).ToArray();
        if (Bytes is not null)
        {
            var size = Bytes.Length / Count;
            return new SampleBatch(Bytes.AsSpan(start * size, count * size).ToArray(), null, labels);
        }

        var width = Values!.Length / Count;
        return new SampleBatch(null, Values.AsSpan(start * width, count * width).ToArray(), labels);
    }

    /// <summary>The samples at <paramref name="positions"/> of this batch, in that order.</summary>
    public SampleBatch Pick(IReadOnlyList<int> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        var labels = positions.Select(p => Labels[p]).ToArray();
        if (Count == 0)
        {
            return this;
        }

        if (Bytes is not null)
        {
            var size = Bytes.Length / Count;
            var bytes = new byte[positions.Count * size];
            for (var i = 0; i < positions.Count; i++)
            {
                Array.Copy(Bytes, positions[i] * size, bytes, i * size, size);
            }

            return new SampleBatch(bytes, null, labels);
        }

        var width = Values!.Length / Count;
        var values = new float[positions.Count * width];
        for (var i = 0; i < positions.Count; i++)
        {
            Array.Copy(Values, positions[i] * width, values, i * width, width);
        }

        return new SampleBatch(null, values, labels);
    }

    /// <summary>Joins batches in order (a worker's samples may come from several shards).</summary>
    public static SampleBatch Concat(IReadOnlyList<SampleBatch> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 1)
        {
            return parts[0];
        }

        var labels = parts.SelectMany(p => p.Labels).ToArray();
        return parts[0].Bytes is not null
            ? new SampleBatch(parts.SelectMany(p => p.Bytes!).ToArray(), null, labels)
            : new SampleBatch(null, parts.SelectMany(p => p.Values!).ToArray(), labels);
    }
}
