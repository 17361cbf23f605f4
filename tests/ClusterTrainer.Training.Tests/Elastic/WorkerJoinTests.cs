using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Training.Tests.Elastic;

/// <summary>
/// A worker node started while a one-worker `cluster` job runs with --max-workers 2 joins it at a step boundary: the
/// job ends with two workers and the parameters of the one-worker run that nobody joined (within 1e-5).
/// </summary>
public sealed class WorkerJoinTests
{
    [Fact]
    public async Task A_worker_node_started_during_epoch_1_should_join_and_leave_the_result_unchanged()
    {
        using var run = new TempDirectory();
        using var local = new TempDirectory();
        await using var cluster = CliProcess.Start("cluster", "--workers", "1", "--max-workers", "2", "--model", "mlp", "--data", "sample", "--epochs", "3", "--seed", "4", "--out", run.Path);
        await cluster.WaitForOutputAsync("epoch 1/3", TimeSpan.FromMinutes(3));
        var seed = ClusterOutput.SeedAddress(cluster.Output);
        await using var joiner = CliProcess.Start("node", "--role", "worker", "--host", "127.0.0.1", "--port", "0", "--seed-nodes", seed);

        var code = await cluster.WaitForExitAsync(TimeSpan.FromMinutes(4));
        Assert.True(code == 0, cluster.Output);
        var summary = new RunDirectory(run.Path).ReadSummary();
        var change = Assert.Single(summary.Membership);
        Assert.Equal("joined", change.Change);
        Assert.Equal(2, summary.Workers);
        Assert.Equal([6000L, 6000L, 6000L], summary.SamplesPerEpoch);

        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Epochs = 3, Workers = 1, Data = "sample", Seed = 4 };
        var reference = await ClusterRun.TrainAsync(settings, TestData.FashionSample, local.Path);
        var difference = RunParameters.MaxDifference(RunParameters.Load(settings, run.Path), reference.Parameters);
        Assert.True(difference <= 1e-5, $"max |difference| {difference:E3} between the job a worker joined and the one-worker run");
    }
}
