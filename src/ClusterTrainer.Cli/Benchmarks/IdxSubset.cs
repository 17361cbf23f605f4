using System.Buffers.Binary;
using ClusterTrainer.Core;
using ClusterTrainer.Data;

namespace ClusterTrainer.Cli.Benchmarks;

/// <summary>
/// Writes the images a benchmark trains on as an MNIST-style IDX directory (the four raw files), so that
/// ClusterTrainer and a peer written in another language read the very same bytes, whatever the source was
/// (the installed Fashion-MNIST, the embedded sample, any IDX directory).
/// </summary>
public static class IdxSubset
{
    public static void Write(string directory, DataSplit data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Directory.CreateDirectory(directory);
        Write(directory, "train", data.Train);
        Write(directory, "t10k", data.Test);
    }

    /// <summary>Why <paramref name="data"/> cannot be written as IDX images, or null when it can.</summary>
    public static string? Unsupported(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Bytes is null || data.SampleShape is not [1, _, _])
        {
            return $"{data.Name} holds samples of shape [{string.Join(", ", data.SampleShape)}] ({data.Encoding}), not one-channel byte images";
        }

        return data.ClassCount > 256 ? $"{data.Name} has {data.ClassCount} classes; IDX labels are single bytes" : null;
    }

    private static void Write(string directory, string prefix, Dataset data)
    {
        if (Unsupported(data) is { } why)
        {
            throw new SettingsException("--data", why);
        }

        WriteFile(Path.Combine(directory, $"{prefix}-images-idx3-ubyte"), [data.Count, data.SampleShape[1], data.SampleShape[2]], data.Bytes!);
        WriteFile(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte"), [data.Count], data.Labels.Select(label => (byte)label).ToArray());
    }

    /// <summary>The IDX layout: two zero bytes, 0x08 (unsigned bytes), the dimension count, each dimension big-endian, the data.</summary>
    private static void WriteFile(string path, int[] shape, byte[] values)
    {
        using var file = File.Create(path);
        Span<byte> header = stackalloc byte[4 + (4 * shape.Length)];
        header[2] = 0x08;
        header[3] = (byte)shape.Length;
        for (var d = 0; d < shape.Length; d++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header[(4 + (4 * d))..], shape[d]);
        }

        file.Write(header);
        file.Write(values);
    }
}
