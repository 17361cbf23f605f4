using System.Buffers.Binary;
using System.IO.Compression;

namespace ClusterTrainer.Data.Tests;

/// <summary>Builds IDX file contents byte by byte, so each test states exactly what the file holds.</summary>
internal static class IdxBytes
{
    public static byte[] Header(byte elementType, params uint[] sizes)
    {
        var header = new byte[4 + (4 * sizes.Length)];
        header[2] = elementType;
        header[3] = (byte)sizes.Length;
        for (var i = 0; i < sizes.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + (4 * i)), sizes[i]);
        }

        return header;
    }

    /// <summary>Images whose pixel i (counting across all images) is i mod 251, so any misplaced byte shows.</summary>
    public static byte[] Images(int count, int rows, int columns) =>
        [.. Header(0x08, (uint)count, (uint)rows, (uint)columns), .. Pixels(count * rows * columns)];

    public static byte[] Pixels(int length) => Enumerable.Range(0, length).Select(i => (byte)(i % 251)).ToArray();

    public static byte[] Labels(params int[] labels) =>
        [.. Header(0x08, (uint)labels.Length), .. labels.Select(label => (byte)label)];

    /// <summary>Labels 0, 1, ..., 9, 0, 1, ... .</summary>
    public static byte[] CyclicLabels(int count) => Labels(Enumerable.Range(0, count).Select(i => i % 10).ToArray());

    public static byte[] Gzip(byte[] contents)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(contents);
        }

        return buffer.ToArray();
    }

    /// <summary>Writes the four files an IDX directory needs, gzipped, with the given train and test counts of rows × columns images.</summary>
    public static void WriteDirectory(string directory, int trainCount, int testCount, int rows = 2, int columns = 2)
    {
        File.WriteAllBytes(Path.Combine(directory, "train-images-idx3-ubyte.gz"), Gzip(Images(trainCount, rows, columns)));
        File.WriteAllBytes(Path.Combine(directory, "train-labels-idx1-ubyte.gz"), Gzip(CyclicLabels(trainCount)));
        File.WriteAllBytes(Path.Combine(directory, "t10k-images-idx3-ubyte.gz"), Gzip(Images(testCount, rows, columns)));
        File.WriteAllBytes(Path.Combine(directory, "t10k-labels-idx1-ubyte.gz"), Gzip(CyclicLabels(testCount)));
    }
}
