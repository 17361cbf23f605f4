using System.Globalization;

namespace ClusterTrainer.Data;

/// <summary>
/// Reads MNIST-style IDX files (MNIST, Fashion-MNIST, KMNIST), gzipped or raw; gzip is recognised by its
/// magic bytes, so a decompressed file keeping its .gz name still reads. Every problem with the contents
/// is reported as a <see cref="DataFormatException"/> naming the file.
/// </summary>
public static class IdxReader
{
    /// <summary>MNIST-style sets label ten classes, 0-9.</summary>
    public const int ClassCount = 10;

    /// <summary>Reads an image file and its label file into a Bytes-encoded dataset of shape [1, rows, columns].</summary>
    public static Dataset ReadPair(string imagesPath, string labelsPath, string name)
    {
        using var images = OpenFile(imagesPath);
        using var labels = OpenFile(labelsPath);
        return ReadPair(images, imagesPath, labels, labelsPath, name);
    }

    /// <summary>As <see cref="ReadPair(string, string, string)"/>, from streams such as embedded resources.</summary>
    public static Dataset ReadPair(Stream images, string imagesName, Stream labels, string labelsName, string name)
    {
        var pixels = ReadImages(images, imagesName);
        var classes = ReadLabels(labels, labelsName);
        if (pixels.Count != classes.Length)
        {
            throw new DataFormatException(labelsName, string.Create(CultureInfo.InvariantCulture, $"does not match {imagesName}: {pixels.Count} images but {classes.Length} labels. Use the labels file of the same set (train or t10k) as the images."));
        }

        return new Dataset(name, [1, pixels.Rows, pixels.Columns], pixels.Pixels, classes, ClassCount);
    }

    /// <summary>Reads an IDX image file (type 0x00000803: count, rows, columns). <paramref name="displayName"/> names the source in errors.</summary>
    public static IdxImages ReadImages(Stream stream, string displayName)
    {
        var (dimensions, data) = IdxDecoder.Read(stream, displayName, 3, "an image file has 3 (count, rows, columns)");
        return new IdxImages(dimensions[0], dimensions[1], dimensions[2], data);
    }

    /// <summary>Reads an IDX label file (type 0x00000801: count) whose labels must be 0-9.</summary>
    public static int[] ReadLabels(Stream stream, string displayName)
    {
        var (_, data) = IdxDecoder.Read(stream, displayName, 1, "a label file has 1 (count)");
        var labels = new int[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] >= ClassCount)
            {
                throw new DataFormatException(displayName, string.Create(CultureInfo.InvariantCulture, $"label {data[i]} at index {i} is outside 0-{ClassCount - 1}; this is not an MNIST-style label file or it is damaged."));
            }

            labels[i] = data[i];
        }

        return labels;
    }

    private static FileStream OpenFile(string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataNotFoundException(path, $"{path} does not exist.", e);
        }
    }
}
