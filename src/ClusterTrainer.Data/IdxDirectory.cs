namespace ClusterTrainer.Data;

/// <summary>The four files an MNIST-style directory must hold, each either gzipped or raw.</summary>
internal static class IdxDirectory
{
    public const string TrainImages = "train-images-idx3-ubyte";
    public const string TrainLabels = "train-labels-idx1-ubyte";
    public const string TestImages = "t10k-images-idx3-ubyte";
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    public static readonly string[] RequiredFiles = [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>The path of <paramref name="baseName"/> in <paramref name="directory"/>, preferring the .gz file; null when neither exists.</summary>
    public static string? Find(string directory, string baseName)
    {
        var gz = Path.Combine(directory, baseName + ".gz");
        if (File.Exists(gz))
        {
            return gz;
        }

        var raw = Path.Combine(directory, baseName);
        return File.Exists(raw) ? raw : null;
    }

    public static List<string> Missing(string directory) =>
        RequiredFiles.Where(name => Find(directory, name) is null).ToList();

    public static string Require(string directory, string baseName) =>
        Find(directory, baseName) ?? throw new DataNotFoundException(directory, $"{directory} no longer holds {baseName} or {baseName}.gz.");
}
