using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Core.Tests;

/// <summary>A run never overwrites an earlier run's results unless asked (issue 15, item 4).</summary>
public sealed class OutputDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("outdir-").FullName;

    [Fact]
    public void A_new_or_empty_directory_should_be_taken_as_it_is()
    {
        var fresh = Path.Combine(_root, "new", "run");
        OutputDirectory.Prepare(fresh, force: false);
        Assert.True(Directory.Exists(fresh));
        OutputDirectory.Prepare(fresh, force: false);
    }

    [Fact]
    public void A_directory_with_an_earlier_run_should_be_refused_without_force_and_left_untouched()
    {
        var run = Path.Combine(_root, "earlier");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, RunDirectory.SummaryFile), "{}");
        var error = Assert.Throws<SettingsException>(() => OutputDirectory.Prepare(run, force: false));
        Assert.Equal("--out", error.Setting);
        Assert.Contains(run, error.Message, StringComparison.Ordinal);
        Assert.Contains("--force", error.Message, StringComparison.Ordinal);
        Assert.Equal("{}", File.ReadAllText(Path.Combine(run, RunDirectory.SummaryFile)));
    }

    [Fact]
    public void Force_should_remove_the_earlier_run_files_and_nothing_else()
    {
        var run = Path.Combine(_root, "forced");
        Directory.CreateDirectory(run);
        foreach (var name in new[] { RunDirectory.SummaryFile, RunDirectory.ModelFile, RunDirectory.LogFile, "worker-0.out", "notes.txt" })
        {
            File.WriteAllText(Path.Combine(run, name), name);
        }

        OutputDirectory.Prepare(run, force: true);
        Assert.Equal(["notes.txt"], Directory.GetFiles(run).Select(Path.GetFileName));
    }

    [Fact]
    public void A_file_should_be_refused_as_a_run_directory_naming_the_flag()
    {
        var file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "x");
        var error = Assert.Throws<SettingsException>(() => OutputDirectory.Prepare(file, force: true));
        Assert.Equal("--out", error.Setting);
        Assert.Contains("is a file", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
