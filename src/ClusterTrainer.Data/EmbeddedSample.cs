using System.Globalization;

namespace ClusterTrainer.Data;

/// <summary>
/// The first 6,000 training and 1,000 test images of Fashion-MNIST, built into this assembly so a
/// fresh checkout can train with no download. Rebuilt by Sample/make-sample.sh; licence in
/// Sample/LICENSE-fashion-mnist.txt.
/// </summary>
public static class EmbeddedSample
{
    private const string ResourcePrefix = "ClusterTrainer.Data.Sample.";

    public static DataSplit Load()
    {
        const string Name = "embedded Fashion-MNIST sample";
        var train = ReadPair(IdxDirectory.TrainImages, IdxDirectory.TrainLabels, Name);
        var test = ReadPair(IdxDirectory.TestImages, IdxDirectory.TestLabels, Name);
        var source = string.Create(CultureInfo.InvariantCulture, $"{Name} ({train.Count:N0} train / {test.Count:N0} test)");
        return new DataSplit(train, test, source);
    }

    private static Dataset ReadPair(string images, string labels, string name)
    {
        using var imageStream = Open(images);
        using var labelStream = Open(labels);
        var data = IdxReader.ReadPair(imageStream, ResourcePrefix + images + ".gz", labelStream, ResourcePrefix + labels + ".gz", name);
        return new Dataset(name, data.SampleShape, data.Bytes!, data.Labels, data.ClassCount) { ClassNames = FashionMnist.ClassNames };
    }

    private static Stream Open(string baseName)
    {
        var resource = ResourcePrefix + baseName + ".gz";
        return typeof(EmbeddedSample).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Resource {resource} is not embedded in {typeof(EmbeddedSample).Assembly.GetName().Name}; check the EmbeddedResource item in ClusterTrainer.Data.csproj.");
    }
}
