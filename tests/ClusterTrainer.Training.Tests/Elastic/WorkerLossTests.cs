using System.Diagnostics;
using System.Text.Json;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using Xunit.Abstractions;

namespace ClusterTrainer.Training.Tests.Elastic;

/// <summary>
/// A worker process killed with SIGKILL in the middle of a `cluster` job: the survivors form a new ring and the job
/// finishes, every sample used once per epoch, with the parameters of the job that lost no worker (within 1e-5).
/// </summary>
public sealed class WorkerLossTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_job_that_loses_one_of_three_worker_processes_in_epoch_2_should_finish_as_if_it_had_not()
    {
        using var run = new TempDirectory();
        using var local = new TempDirectory();
        await using var cluster = CliProcess.Start("cluster", "--workers", "3", "--model", "mlp", "--data", "sample", "--epochs", "3", "--seed", "4", "--out", run.Path);
        await cluster.WaitForOutputAsync("epoch 2/3", TimeSpan.FromMinutes(3));
        var victim = MultiNodeTests.WorkerPids(run.Path).First();
        Process.GetProcessById(victim).Kill();
        var killedAt = DateTimeOffset.UtcNow;

        var code = await cluster.WaitForExitAsync(TimeSpan.FromMinutes(4));
        Assert.True(code == 0, cluster.Output);
        var summary = new RunDirectory(run.Path).ReadSummary();
        Assert.Equal([6000L, 6000L, 6000L], summary.SamplesPerEpoch);
        Assert.Equal(18000, summary.Samples);
        var change = Assert.Single(summary.Membership);
        Assert.Equal("lost", change.Change);
        Assert.Equal(2, change.Workers);
        Assert.Equal(2, summary.Workers);

        var wentOn = GoesOnTimes(run.Path).Single();
        var recovery = (wentOn - killedAt).TotalSeconds;
        output.WriteLine($"killed at {killedAt:HH:mm:ss.fff}; the job went on with 2 workers {recovery:F1} s later (regroup {change.RecoverySeconds:F1} s from the first failed step)");
        // The requirement is 10 s (measured about 6 s: the failure detector's 4 s heartbeat pause, then the regroup);
        // the bound leaves room for a loaded machine.
        Assert.True(recovery <= 15, $"the job went on {recovery:F1} s after the kill");

        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Epochs = 3, Workers = 3, Data = "sample", Seed = 4 };
        var reference = await ClusterRun.TrainAsync(settings, TestData.FashionSample, local.Path);
        var difference = RunParameters.MaxDifference(RunParameters.Load(settings, run.Path), reference.Parameters);
        Assert.True(difference <= 1e-5, $"max |difference| {difference:E3} between the job that lost a worker and the one that did not");
        Assert.Empty(MultiNodeTests.WorkerPids(run.Path));
    }

    /// <summary>When the coordinator's log of record says the job went on after a lost worker.</summary>
    private static IEnumerable<DateTimeOffset> GoesOnTimes(string runDirectory) =>
        File.ReadLines(Path.Combine(runDirectory, RunDirectory.LogFile))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.TryGetProperty("@mt", out var template) && template.GetString()!.Contains("goes on with", StringComparison.Ordinal))
            .Select(e => e.GetProperty("@t").GetDateTimeOffset());
}
