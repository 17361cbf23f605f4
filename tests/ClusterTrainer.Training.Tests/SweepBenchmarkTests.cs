using System.Text.Json;
using Xunit.Abstractions;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// `bench --sweep` as a person runs it: a coordinator and worker node processes, the jobs one after another and then
/// all at once. Its ratio is the issue 11 acceptance number, measured by the command (speed is a benchmark's
/// business, not a unit test's: on a 2-core machine four worker processes cannot each get a core, so the 0.35 bound
/// is for machines with a core per node); this test holds the command to running and reporting what it measured.
/// </summary>
public sealed class SweepBenchmarkTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Bench_sweep_should_run_the_jobs_both_ways_and_report_the_ratio_of_the_wall_times()
    {
        using var files = new TempDirectory();
        var report = files.Combine("sweep.json");

        var (code, text) = await CliProcess.RunAsync(TimeSpan.FromMinutes(10), "bench", "--sweep", "--sweep-jobs", "2", "--worker-nodes", "2", "--model", "mlp", "--data", "sample", "--epochs", "1", "--out", report);

        output.WriteLine(text);
        Assert.True(code == 0, text);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var ratio = json.RootElement.GetProperty("ratio").GetDouble();
        var sequential = json.RootElement.GetProperty("one_after_another_seconds").GetDouble();
        var concurrent = json.RootElement.GetProperty("all_at_once_seconds").GetDouble();
        Assert.Equal(2, json.RootElement.GetProperty("jobs").GetInt32());
        Assert.True(sequential > 0 && concurrent > 0, $"wall times {sequential} s and {concurrent} s");
        Assert.Equal(concurrent / sequential, ratio, 6);
        Assert.Contains("ratio", text, StringComparison.Ordinal);
    }
}
