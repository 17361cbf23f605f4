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
    public async Task Train_should_refuse_hierarchical_by_name_since_its_workers_share_memory()
    {
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "train", "--data", "sample", "--all-reduce", "hierarchical");

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("--all-reduce", output, StringComparison.Ordinal);
        Assert.Contains("cluster", output, StringComparison.Ordinal);
    }
}
