using System.Text.Json;
using ClusterTrainer.Cli;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Training.Tests;

/// <summary>A run whose loss becomes NaN or infinite stops at that step, through the real program (issue 15, item 2).</summary>
public class DivergenceCliTests
{
    [Theory]
    [InlineData("sgd", "1e9")]
    [InlineData("adam", "1e30")]
    public async Task A_learning_rate_that_diverges_should_fail_the_run_naming_the_step_and_leave_no_model(string optimizer, string rate)
    {
        using var run = new TempDirectory();
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2),
            "train", "--data", "sample", "--limit", "1000", "--epochs", "1", "--optimizer", optimizer, "--lr", rate, "--out", run.Path);

        Assert.True(code == CliApp.Failed, output);
        Assert.Matches(@"training diverged at step \d+ of epoch 1", output);
        Assert.Contains("try a lower --lr", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(run.Path, RunDirectory.ModelFile)), "no NaN weights may be saved as the result");
        Assert.False(File.Exists(Path.Combine(run.Path, RunDirectory.SummaryFile)));
    }

    [Fact]
    public async Task A_multi_process_cluster_should_stop_at_the_diverged_step_too()
    {
        using var run = new TempDirectory();
        await using var cluster = CliProcess.Start("cluster", "--workers", "2", "--data", "sample", "--limit", "1000", "--epochs", "1", "--lr", "1e9", "--out", run.Path);
        await cluster.WaitForOutputAsync("2 workers available", TimeSpan.FromMinutes(2));
        var workers = cluster.ChildPids();
        Assert.Equal(2, workers.Length);
        var code = await cluster.WaitForExitAsync(TimeSpan.FromMinutes(3));

        Assert.True(code == CliApp.Failed, cluster.Output);
        Assert.Matches(@"training diverged at step \d+ of epoch 1", cluster.Output);
        Assert.False(File.Exists(Path.Combine(run.Path, RunDirectory.ModelFile)));
        Assert.DoesNotContain(workers, CliProcess.IsAlive);
    }

    [Fact]
    public async Task A_summary_should_hold_numbers_only()
    {
        using var run = new TempDirectory();
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "train", "--data", "sample", "--limit", "600", "--epochs", "1", "--out", run.Path);
        Assert.True(code == 0, output);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Path, RunDirectory.SummaryFile)));
        foreach (var field in summary.RootElement.EnumerateObject().Where(f => f.Value.ValueKind == JsonValueKind.String))
        {
            Assert.False(double.TryParse(field.Value.GetString(), System.Globalization.CultureInfo.InvariantCulture, out _), $"{field.Name} is a number written as a string: {field.Value}");
        }
    }
}
