using ClusterTrainer.Cli;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Training.Tests;

/// <summary>--out never overwrites an earlier run's results without --force, through the real program (issue 15, item 4).</summary>
public class RunOutputCliTests
{
    [Fact]
    public async Task An_earlier_run_directory_should_be_refused_untouched_and_replaced_only_with_force()
    {
        using var run = new TempDirectory();
        string[] train = ["train", "--data", "sample", "--limit", "600", "--epochs", "1", "--out", run.Path];
        var (first, firstOutput) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), train);
        Assert.True(first == 0, firstOutput);
        var summary = File.ReadAllBytes(Path.Combine(run.Path, RunDirectory.SummaryFile));
        var log = File.ReadAllBytes(Path.Combine(run.Path, RunDirectory.LogFile));

        var (refused, refusedOutput) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), train);
        Assert.True(refused == CliApp.BadInput, refusedOutput);
        Assert.Contains("--out", refusedOutput, StringComparison.Ordinal);
        Assert.Contains("--force", refusedOutput, StringComparison.Ordinal);
        Assert.Equal(summary, File.ReadAllBytes(Path.Combine(run.Path, RunDirectory.SummaryFile)));
        Assert.Equal(log, File.ReadAllBytes(Path.Combine(run.Path, RunDirectory.LogFile)));

        var (forced, forcedOutput) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), [.. train, "--force"]);
        Assert.True(forced == 0, forcedOutput);
        var starts = File.ReadLines(Path.Combine(run.Path, RunDirectory.LogFile)).Count(line => line.Contains("starting", StringComparison.Ordinal) && line.Contains("\"JobId\"", StringComparison.Ordinal));
        Assert.Equal(1, starts);
    }

    [Fact]
    public async Task An_out_path_that_is_a_file_should_exit_2()
    {
        using var directory = new TempDirectory();
        var file = directory.Combine("results.txt");
        File.WriteAllText(file, "mine");
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "train", "--data", "sample", "--out", file);
        Assert.True(code == CliApp.BadInput, output);
        Assert.Contains("is a file", output, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(file));
    }
}
