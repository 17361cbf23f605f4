using System.Globalization;

namespace ClusterTrainer.Data;

/// <summary>
/// Decides where training data comes from: an explicit path (the CLI's --data), else the
/// CLUSTERTRAINER_DATA environment variable, else an installed Fashion-MNIST directory, else the
/// embedded sample. A path the user gave that is missing or incomplete is an error, never a reason to
/// fall back, so a typo cannot quietly train on other data.
/// </summary>
public sealed class DataLocator
{
    public const string EnvironmentVariable = "CLUSTERTRAINER_DATA";

    /// <summary>`--data sample` picks the embedded sample even where a full data set is installed.</summary>
    public const string SampleKeyword = "sample";

    /// <summary>Where Debian's dataset-fashion-mnist package installs the data.</summary>
    public const string DebianFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Share of a CSV file held out for testing, since CSV sources ship no test set.</summary>
    public const double CsvTestFraction = 0.2;

    private static readonly string RequiredList = string.Join(", ", IdxDirectory.RequiredFiles.Select(name => name + "[.gz]"));

    private readonly string? environmentValue;
    private readonly string? systemDirectory;

    /// <summary>Probes the real environment variable and Debian's Fashion-MNIST directory.</summary>
    public DataLocator()
        : this(Environment.GetEnvironmentVariable(EnvironmentVariable), DebianFashionMnistDirectory)
    {
    }

    /// <param name="environmentValue">The value of CLUSTERTRAINER_DATA; null or blank when unset.</param>
    /// <param name="systemDirectory">An installed Fashion-MNIST directory, used only when complete; null to skip.</param>
    public DataLocator(string? environmentValue, string? systemDirectory)
    {
        this.environmentValue = environmentValue;
        this.systemDirectory = systemDirectory;
    }

    /// <summary>Picks the source without reading data. Throws <see cref="DataNotFoundException"/> when a given path is unusable.</summary>
    public DataSource Resolve(string? explicitPath)
    {
        if (string.Equals(explicitPath, SampleKeyword, StringComparison.OrdinalIgnoreCase))
        {
            return new DataSource(DataSourceKind.EmbeddedSample, null, "embedded Fashion-MNIST sample");
        }

        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return Given(explicitPath, "--data", "or leave out --data to use the default data");
        }

        if (!string.IsNullOrWhiteSpace(environmentValue))
        {
            return Given(environmentValue, EnvironmentVariable, $"or unset {EnvironmentVariable} to use the default data");
        }

        if (systemDirectory is not null && Directory.Exists(systemDirectory) && IdxDirectory.Missing(systemDirectory).Count == 0)
        {
            return new DataSource(DataSourceKind.IdxDirectory, systemDirectory, $"{NameOf(systemDirectory)} from {systemDirectory}");
        }

        return new DataSource(DataSourceKind.EmbeddedSample, null, "embedded Fashion-MNIST sample");
    }

    /// <summary>Resolves and reads. CSV files are split <see cref="CsvTestFraction"/> for testing, shuffled by <paramref name="seed"/>.</summary>
    public DataSplit Load(string? explicitPath, int seed = 0) => Load(Resolve(explicitPath), seed);

    public DataSplit Load(DataSource source, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Kind switch
        {
            DataSourceKind.EmbeddedSample => EmbeddedSample.Load(),
            DataSourceKind.CsvFile => LoadCsv(source, seed),
            _ => LoadIdx(source),
        };
    }

    private static DataSource Given(string path, string origin, string alternative)
    {
        var full = Path.GetFullPath(path);
        if (full.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(full))
            {
                throw new DataNotFoundException(full, $"{origin} points to {full}, which does not exist. Fix: give an existing .csv file or a directory with {RequiredList}, {alternative}.");
            }

            return new DataSource(DataSourceKind.CsvFile, full, $"{Path.GetFileName(full)} from {Path.GetDirectoryName(full)} ({origin})");
        }

        if (File.Exists(full))
        {
            throw new DataNotFoundException(full, $"{origin} points to the file {full}, but it must be a directory with {RequiredList}, or a .csv file. Fix: give the directory that holds the file, {alternative}.");
        }

        if (!Directory.Exists(full))
        {
            throw new DataNotFoundException(full, $"{origin} directory {full} does not exist. Fix: give a directory with {RequiredList} (or a .csv file), {alternative}.");
        }

        var missing = IdxDirectory.Missing(full);
        if (missing.Count > 0)
        {
            var lacking = missing.Count == IdxDirectory.RequiredFiles.Length
                ? $"all of {RequiredList}"
                : $"{string.Join(", ", missing.Select(name => name + "[.gz]"))}; it needs {RequiredList}";
            throw new DataNotFoundException(full, $"{origin} directory {full} lacks {lacking}. Fix: put the MNIST, Fashion-MNIST or KMNIST files there (gzipped or not), {alternative}.");
        }

        return new DataSource(DataSourceKind.IdxDirectory, full, $"{NameOf(full)} from {full} ({origin})");
    }

    private DataSplit LoadIdx(DataSource source)
    {
        var directory = source.Path!;
        var name = $"{NameOf(directory)} ({directory})";
        var train = IdxReader.ReadPair(IdxDirectory.Require(directory, IdxDirectory.TrainImages), IdxDirectory.Require(directory, IdxDirectory.TrainLabels), name);
        var testImages = IdxDirectory.Require(directory, IdxDirectory.TestImages);
        var test = IdxReader.ReadPair(testImages, IdxDirectory.Require(directory, IdxDirectory.TestLabels), name);
        if (!train.SampleShape.SequenceEqual(test.SampleShape))
        {
            throw new DataFormatException(testImages, $"holds {Shape(test)} images but the training images are {Shape(train)}; both sets must come from the same data set.");
        }

        if (directory == systemDirectory)
        {
            train = new Dataset(name, train.SampleShape, train.Bytes!, train.Labels, train.ClassCount) { ClassNames = FashionMnist.ClassNames };
            test = new Dataset(name, test.SampleShape, test.Bytes!, test.Labels, test.ClassCount) { ClassNames = FashionMnist.ClassNames };
        }

        return new DataSplit(train, test, source.Description);
    }

    private static DataSplit LoadCsv(DataSource source, int seed)
    {
        var split = DatasetSplitter.Split(CsvReader.Read(source.Path!), CsvTestFraction, seed);
        return split with
        {
            Source = string.Create(CultureInfo.InvariantCulture, $"{source.Description}, split {split.Train.Count:N0} train / {split.Test.Count:N0} test with seed {seed}"),
        };
    }

    private static string NameOf(string directory) => Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));

    private static string Shape(Dataset data) => string.Join("×", data.SampleShape.Skip(1));
}
