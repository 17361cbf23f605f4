namespace ClusterTrainer.Data.Tests;

public sealed class DataLocatorTests : IDisposable
{
    private static readonly string[] RequiredFiles =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Should_prefer_the_explicit_directory_over_environment_and_system()
    {
        var (explicitDir, environmentDir, systemDir) = (Complete("explicit"), Complete("environment"), Complete("system"));

        var source = new DataLocator(environmentDir, systemDir).Resolve(explicitDir);

        Assert.Equal(DataSourceKind.IdxDirectory, source.Kind);
        Assert.Equal(explicitDir, source.Path);
        Assert.Equal($"explicit from {explicitDir} (--data)", source.Description);
    }

    [Fact]
    public void Should_prefer_the_environment_variable_over_the_system_directory()
    {
        var (environmentDir, systemDir) = (Complete("environment"), Complete("system"));

        var source = new DataLocator(environmentDir, systemDir).Resolve(null);

        Assert.Equal(environmentDir, source.Path);
        Assert.Contains("(CLUSTERTRAINER_DATA)", source.Description);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Should_use_the_system_directory_when_nothing_is_given(string? unset)
    {
        var systemDir = Complete("fashion-mnist");

        var source = new DataLocator(unset, systemDir).Resolve(unset);

        Assert.Equal(DataSourceKind.IdxDirectory, source.Kind);
        Assert.Equal($"fashion-mnist from {systemDir}", source.Description);
    }

    [Fact]
    public void Should_fall_back_to_the_embedded_sample_when_the_system_directory_is_absent()
    {
        var source = new DataLocator(null, Path.Combine(temp.Path, "not-installed")).Resolve(null);

        Assert.Equal(DataSourceKind.EmbeddedSample, source.Kind);
        Assert.Null(source.Path);
    }

    [Fact]
    public void Should_fall_back_to_the_embedded_sample_when_the_system_directory_is_incomplete()
    {
        var systemDir = Complete("partial");
        File.Delete(Path.Combine(systemDir, "t10k-images-idx3-ubyte.gz"));

        var source = new DataLocator(null, systemDir).Resolve(null);

        Assert.Equal(DataSourceKind.EmbeddedSample, source.Kind);
    }

    [Fact]
    public void Should_accept_raw_files_as_well_as_gzipped_ones()
    {
        var dir = temp.Subdirectory("raw");
        foreach (var name in RequiredFiles)
        {
            File.WriteAllBytes(Path.Combine(dir, name), []);
        }

        var source = new DataLocator(null, null).Resolve(dir);

        Assert.Equal(DataSourceKind.IdxDirectory, source.Kind);
    }

    [Fact]
    public void Should_fail_naming_a_missing_explicit_directory_instead_of_falling_back()
    {
        var missing = Path.Combine(temp.Path, "typo");

        var error = Assert.Throws<DataNotFoundException>(() => new DataLocator(Complete("environment"), Complete("system")).Resolve(missing));

        Assert.Equal(missing, error.Path);
        Assert.Contains($"--data directory {missing} does not exist", error.Message);
        Assert.Contains("Fix:", error.Message);
    }

    [Fact]
    public void Should_fail_naming_the_files_an_explicit_directory_lacks()
    {
        var dir = Complete("incomplete");
        File.Delete(Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"));

        var error = Assert.Throws<DataNotFoundException>(() => new DataLocator(null, Complete("system")).Resolve(dir));

        Assert.Contains($"{dir} lacks t10k-labels-idx1-ubyte[.gz]; it needs", error.Message);
    }

    [Fact]
    public void Should_fail_naming_the_environment_variable_when_its_directory_is_missing()
    {
        var missing = Path.Combine(temp.Path, "moved");

        var error = Assert.Throws<DataNotFoundException>(() => new DataLocator(missing, Complete("system")).Resolve(null));

        Assert.Contains($"CLUSTERTRAINER_DATA directory {missing} does not exist", error.Message);
        Assert.Contains("unset CLUSTERTRAINER_DATA", error.Message);
    }

    [Fact]
    public void Should_fail_when_given_a_file_that_is_neither_a_directory_nor_csv()
    {
        var file = temp.Write("train-images-idx3-ubyte.gz", []);

        var error = Assert.Throws<DataNotFoundException>(() => new DataLocator(null, null).Resolve(file));

        Assert.Contains($"--data points to the file {file}, but it must be a directory", error.Message);
    }

    [Fact]
    public void Should_fail_naming_a_missing_csv_file()
    {
        var missing = Path.Combine(temp.Path, "iris.csv");

        var error = Assert.Throws<DataNotFoundException>(() => new DataLocator(null, null).Resolve(missing));

        Assert.Contains($"--data points to {missing}, which does not exist", error.Message);
    }

    [Fact]
    public void Should_load_an_idx_directory_with_its_source_in_the_split()
    {
        var dir = temp.Subdirectory("kmnist");
        IdxBytes.WriteDirectory(dir, trainCount: 12, testCount: 5, rows: 3, columns: 2);

        var split = new DataLocator(null, null).Load(dir);

        Assert.Equal((12, 5), (split.Train.Count, split.Test.Count));
        Assert.Equal([1, 3, 2], split.Train.SampleShape);
        Assert.Equal($"kmnist from {dir} (--data)", split.Source);
        Assert.Null(split.Train.ClassNames);
    }

    [Fact]
    public void Should_name_fashion_mnist_classes_when_loading_the_system_directory()
    {
        var systemDir = temp.Subdirectory("fashion-mnist");
        IdxBytes.WriteDirectory(systemDir, trainCount: 10, testCount: 10);

        var split = new DataLocator(null, systemDir).Load(explicitPath: null);

        Assert.Equal($"fashion-mnist from {systemDir}", split.Source);
        Assert.Equal("Ankle boot", split.Train.ClassNames![9]);
    }

    [Fact]
    public void Should_reject_test_images_of_another_size_than_the_training_images()
    {
        var dir = temp.Subdirectory("mixed");
        IdxBytes.WriteDirectory(dir, trainCount: 4, testCount: 4);
        var testImages = temp.Write("mixed/t10k-images-idx3-ubyte.gz", IdxBytes.Gzip(IdxBytes.Images(4, 3, 3)));

        var error = Assert.Throws<DataFormatException>(() => new DataLocator(null, null).Load(dir));

        Assert.Equal(testImages, error.FilePath);
        Assert.Contains("holds 3×3 images but the training images are 2×2", error.Message);
    }

    [Fact]
    public void Should_load_a_csv_file_split_80_20_by_seed()
    {
        var rows = Enumerable.Range(0, 50).Select(i => $"{i},{i * 0.5},{(i % 2 == 0 ? "even" : "odd")}");
        var path = temp.WriteText("parity.csv", "n,half,parity\n" + string.Join('\n', rows));
        var locator = new DataLocator(null, null);

        var split = locator.Load(path, seed: 3);
        var again = locator.Load(path, seed: 3);

        Assert.Equal((40, 10), (split.Train.Count, split.Test.Count));
        Assert.Equal([2], split.Train.SampleShape);
        Assert.Equal(["even", "odd"], split.Train.ClassNames);
        Assert.Equal(again.Test.Values, split.Test.Values);
        Assert.Equal($"parity.csv from {temp.Path} (--data), split 40 train / 10 test with seed 3", split.Source);
    }

    /// <summary>A directory the locator accepts: all four names exist (their contents matter only when loading).</summary>
    private string Complete(string name)
    {
        var dir = temp.Subdirectory(name);
        foreach (var file in RequiredFiles)
        {
            File.WriteAllBytes(Path.Combine(dir, file + ".gz"), []);
        }

        return dir;
    }
}
