using System.Diagnostics;
using ClusterTrainer.Cli;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Training.Tests;

/// <summary>`--all-reduce hierarchical` through the real executable: four worker processes in a 2 x 2 grid of rings.</summary>
public class HierarchicalAllReduceTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Four_worker_processes_should_train_in_a_grid_to_what_one_ring_trains()
    {
        string[] common = ["cluster", "--model", "mlp", "--data", "sample", "--limit", "800", "--epochs", "2", "--seed", "5", "--workers", "4", "--optimizer", "sgd"];
        using var ring = new TempDirectory();
        using var grid = new TempDirectory();
        var (ringCode, ringOutput) = await CliProcess.RunAsync(Limit, [.. common, "--out", ring.Path]);
        Assert.True(ringCode == 0, ringOutput);
        var (gridCode, gridOutput) = await CliProcess.RunAsync(Limit, [.. common, "--all-reduce", "hierarchical", "--out", grid.Path]);
        Assert.True(gridCode == 0, gridOutput);

        var oneRing = new RunDirectory(ring.Path).ReadSummary();
        var twoLevels = new RunDirectory(grid.Path).ReadSummary();
        Assert.Equal(AllReduceKind.Hierarchical, twoLevels.Settings.AllReduce);
        Assert.Equal(4, twoLevels.Workers);
        // Another order of the same additions: equal to float rounding, not to the bit.
        Assert.Equal(oneRing.FinalLoss, twoLevels.FinalLoss, 4);
        Assert.Equal(oneRing.TestAccuracy, twoLevels.TestAccuracy, 2);
    }

    [Fact]
    public async Task A_deterministic_grid_that_loses_a_worker_should_go_on_in_one_ring_and_end_with_the_bits_of_one_worker()
    {
        // Exact int64 sums do not depend on the order of the additions: the 2 x 2 grid, and the ring of 3 that a lost
        // worker leaves (3 has no grid), must both give what one worker computes.
        string[] job = ["--model", "mlp", "--data", "sample", "--epochs", "3", "--seed", "8", "--deterministic", "--micro-batch", "25"];
        using var reference = new TempDirectory();
        var (trainCode, trainOutput) = await CliProcess.RunAsync(Limit, ["train", "--workers", "1", .. job, "--out", reference.Path]);
        Assert.True(trainCode == 0, trainOutput);
        using var run = new TempDirectory();
        await using var cluster = CliProcess.Start(["cluster", "--workers", "4", "--all-reduce", "hierarchical", .. job, "--out", run.Path]);
        await cluster.WaitForOutputAsync("epoch 2/3", Limit);
        Process.GetProcessById(MultiNodeTests.WorkerPids(run.Path).First()).Kill();

        var code = await cluster.WaitForExitAsync(Limit);
        Assert.True(code == 0, cluster.Output);
        var summary = new RunDirectory(run.Path).ReadSummary();
        Assert.Equal("lost", Assert.Single(summary.Membership).Change);
        Assert.Equal(3, summary.Workers);
        Assert.Equal(new RunDirectory(reference.Path).ReadSummary().ParameterChecksum, summary.ParameterChecksum);
    }

    [Fact]
    public async Task Train_should_refuse_hierarchical_by_name_since_its_workers_share_memory()
    {
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "train", "--data", "sample", "--all-reduce", "hierarchical");

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("--all-reduce", output, StringComparison.Ordinal);
        Assert.Contains("cluster", output, StringComparison.Ordinal);
    }
}
