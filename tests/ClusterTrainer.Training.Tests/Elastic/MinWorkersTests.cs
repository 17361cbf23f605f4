using System.Diagnostics;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Training.Tests.Elastic;

/// <summary>
/// --min-workers 2 on a two-worker `cluster` job: a worker process killed in epoch 2 leaves one, below the floor, so the
/// job waits; a worker node started then joins, and the job finishes with the parameters of the job that lost none.
/// </summary>
public sealed class MinWorkersTests
{
    [Fact]
    public async Task A_job_below_its_min_workers_should_wait_for_a_replacement_and_then_finish_unchanged()
    {
        using var run = new TempDirectory();
        using var local = new TempDirectory();
        await using var cluster = CliProcess.Start("cluster", "--workers", "2", "--min-workers", "2", "--model", "mlp", "--data", "sample", "--epochs", "3", "--seed", "4", "--out", run.Path);
        await cluster.WaitForOutputAsync("epoch 2/3", TimeSpan.FromMinutes(3));
        var seed = ClusterOutput.SeedAddress(cluster.Output);
        Process.GetProcessById(MultiNodeTests.WorkerPids(run.Path).First()).Kill();
        await cluster.WaitForOutputAsync("below --min-workers 2", TimeSpan.FromMinutes(1));
        await using var replacement = CliProcess.Start("node", "--role", "worker", "--host", "127.0.0.1", "--port", "0", "--seed-nodes", seed);

        var code = await cluster.WaitForExitAsync(TimeSpan.FromMinutes(4));
        Assert.True(code == 0, cluster.Output);
        var summary = new RunDirectory(run.Path).ReadSummary();
        Assert.Equal(["lost", "joined"], summary.Membership.Select(m => m.Change));
        Assert.Equal(2, summary.Workers);
        Assert.Equal([6000L, 6000L, 6000L], summary.SamplesPerEpoch);

        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Epochs = 3, Workers = 2, Data = "sample", Seed = 4 };
        var reference = await ClusterRun.TrainAsync(settings, TestData.FashionSample, local.Path);
        var difference = RunParameters.MaxDifference(RunParameters.Load(settings, run.Path), reference.Parameters);
        Assert.True(difference <= 1e-5, $"max |difference| {difference:E3} between the job that waited for a replacement and the one that lost none");
    }
}
