using System.Text.Json;
using ClusterTrainer.Cli.Processes;
using Xunit.Abstractions;

namespace ClusterTrainer.Training.Tests;

/// <summary>The scheduler's acceptance test (issue 11): the `bench --sweep` command measures, this test holds it to the bound.</summary>
public sealed class SweepBenchmarkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Eight_one_worker_jobs_on_four_worker_node_processes_should_take_at_most_035_of_running_them_one_after_another()
    {
        using var files = new TempDirectory();
        var report = files.Combine("sweep.json");

        var (code, text) = await CliProcess.RunAsync(TimeSpan.FromMinutes(15), "bench", "--sweep", "--sweep-jobs", "8", "--worker-nodes", "4", "--model", "mlp", "--data", "sample", "--epochs", "2", "--out", report);

        output.WriteLine(text);
        Assert.True(code == 0, text);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var ratio = json.RootElement.GetProperty("ratio").GetDouble();
        var sequential = json.RootElement.GetProperty("one_after_another_seconds").GetDouble();
        var concurrent = json.RootElement.GetProperty("all_at_once_seconds").GetDouble();
        output.WriteLine($"one after another {sequential:F1} s, all at once {concurrent:F1} s, ratio {ratio:F3}");
        Assert.True(ratio <= 0.35, $"8 jobs all at once took {concurrent:F1} s, one after another {sequential:F1} s: ratio {ratio:F3} > 0.35");
    }
}
