namespace ClusterTrainer.Data;

public enum DataSourceKind
{
    /// <summary>A directory with the four MNIST-style IDX files.</summary>
    IdxDirectory,

    /// <summary>A CSV file, split into train and test by seed.</summary>
    CsvFile,

    /// <summary>The Fashion-MNIST sample built into this assembly.</summary>
    EmbeddedSample,
}

/// <summary>Where <see cref="DataLocator"/> decided to take data from, before anything is read.</summary>
/// <param name="Path">The directory or file; null for the embedded sample.</param>
/// <param name="Description">What to tell the user, such as "fashion-mnist from /usr/share/datasets/fashion-mnist".</param>
public sealed record DataSource(DataSourceKind Kind, string? Path, string Description);
