namespace ClusterTrainer.Data;

/// <summary>How a dataset stores its samples in memory.</summary>
public enum SampleEncoding
{
    /// <summary>One unsigned byte per value (images); a model sees value / 255.</summary>
    Bytes,

    /// <summary>One float32 per value (tabular features), used as they are.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Names the element format, as TorchSharp's ScalarType.Float32 does; renaming would break callers.")]
    Float32,
}

/// <summary>
/// A labelled dataset held as one flat buffer, so shards can serve samples as compact slices
/// and nothing per-sample is allocated.
/// </summary>
public sealed class Dataset
{
    public Dataset(string name, int[] sampleShape, byte[] bytes, int[] labels, int classCount)
        : this(name, sampleShape, SampleEncoding.Bytes, bytes, null, labels, classCount)
    {
    }

    public Dataset(string name, int[] sampleShape, float[] values, int[] labels, int classCount)
        : this(name, sampleShape, SampleEncoding.Float32, null, values, labels, classCount)
    {
    }

    private Dataset(string name, int[] sampleShape, SampleEncoding encoding, byte[]? bytes, float[]? values, int[] labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        Name = name;
        SampleShape = sampleShape;
        Encoding = encoding;
        Bytes = bytes;
        Values = values;
        Labels = labels;
        ClassCount = classCount;
        SampleSize = sampleShape.Aggregate(1, (a, b) => a * b);
        var stored = bytes?.Length ?? values!.Length;
        if (stored != SampleSize * labels.Length)
        {
            throw new ArgumentException($"Dataset '{name}': {stored} values do not make {labels.Length} samples of {SampleSize}.");
        }
    }

    /// <summary>Where the data came from, for logs and summaries (for example "fashion-mnist (/usr/share/datasets/fashion-mnist)").</summary>
    public string Name { get; }

    /// <summary>Shape of one sample, without the batch dimension: [1, 28, 28] for images, [F] for tabular rows.</summary>
    public int[] SampleShape { get; }

    public int SampleSize { get; }

    public SampleEncoding Encoding { get; }

    /// <summary>Samples back to back when <see cref="Encoding"/> is Bytes, else null.</summary>
    public byte[]? Bytes { get; }

    /// <summary>Samples back to back when <see cref="Encoding"/> is Float32, else null.</summary>
    public float[]? Values { get; }

    public int[] Labels { get; }

    public int ClassCount { get; }

    /// <summary>Class names by id where the source names them (CSV string labels, Fashion-MNIST); null where labels are bare numbers.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    public int Count => Labels.Length;

    /// <summary>The first <paramref name="count"/> samples (all of them when count is larger).</summary>
    public Dataset Take(int count)
    {
        if (count >= Count)
        {
            return this;
        }

        var labels = Labels[..count];
        return Encoding == SampleEncoding.Bytes
            ? new Dataset(Name, SampleShape, Bytes![..(count * SampleSize)], labels, ClassCount) { ClassNames = ClassNames }
            : new Dataset(Name, SampleShape, Values![..(count * SampleSize)], labels, ClassCount) { ClassNames = ClassNames };
    }
}

/// <summary>A training set and a test set that share sample shape and classes.</summary>
public sealed record DataSplit(Dataset Train, Dataset Test, string Source);
