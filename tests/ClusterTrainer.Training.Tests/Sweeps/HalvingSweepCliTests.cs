using System.Globalization;
using System.Text.RegularExpressions;
using ClusterTrainer.Cli;

namespace ClusterTrainer.Training.Tests.Sweeps;

/// <summary>
/// `sweep --halving` through the real program against a coordinator with one worker: the same winner as the full grid
/// for at most half its training, and refusals by name of what it cannot do.
/// </summary>
public sealed partial class HalvingSweepCliTests(ApiCluster cluster) : IClassFixture<ApiCluster>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_halving_sweep_should_find_the_full_grids_best_point_with_at_most_half_its_training()
    {
        using var files = new TempDirectory();
        var sweep = files.Combine("sweep.yaml");
        // 8 epochs over 4 points: the plan is 4 + 2 + 6 = 12 of 32 epochs (0.375); each pause may overrun its rung by the
        // steps that ran while the cancellation travelled.
        await File.WriteAllTextAsync(sweep, "base: { model: mlp, optimizer: sgd, data: sample, epochs: 8, workers: 1, seed: 5 }\ngrid:\n  learning_rate: [0.00001, 0.0001, 0.001, 0.05]\n");

        var (fullCode, full) = await CliProcess.RunAsync(TimeSpan.FromMinutes(6), "sweep", "--server", cluster.Url, "--file", sweep);
        Assert.True(fullCode == 0, full);
        var (halvingCode, halving) = await CliProcess.RunAsync(TimeSpan.FromMinutes(6), "sweep", "--server", cluster.Url, "--file", sweep, "--halving");
        Assert.True(halvingCode == 0, halving);

        var best = Winner(full);
        var found = Winner(halving);
        Assert.Equal(best.Point, found.Point);
        Assert.Contains("8/8", found.Row, StringComparison.Ordinal);
        // Paused and resumed from exact checkpoints, the winner's run is the full grid's.
        Assert.True(Math.Abs(best.Accuracy - found.Accuracy) <= 0.2, $"full grid {best.Accuracy} %, halving {found.Accuracy} %");
        var cost = CostRatio().Match(CliProcess.Flat(halving));
        Assert.True(cost.Success, halving);
        var ratio = double.Parse(cost.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(ratio is > 0.3 and <= 0.5, $"halving trained {ratio} x the full grid's samples:\n{halving}");
        Assert.Equal(3, StoppedRows().Count(halving));
    }

    [Theory]
    [InlineData("epochs: 3", new[] { "--halving", "--max-concurrent", "2" }, "--max-concurrent: cannot be combined with --halving")]
    [InlineData("epochs: 3", new[] { "--min-epochs", "2" }, "--min-epochs: only means something with --halving")]
    [InlineData("epochs: 3", new[] { "--halving", "--min-epochs", "0" }, "--min-epochs: '0' is not a positive whole number")]
    [InlineData("epochs: 3", new[] { "--halving", "--min-epochs", "3" }, "--min-epochs 3 must be below the points' epochs (3)")]
    [InlineData("epochs: [2, 3]", new[] { "--halving" }, "epochs: --halving needs the same epochs for every point, the grid gives 2, 3")]
    public async Task A_halving_sweep_it_cannot_run_should_be_refused_by_name_and_submit_nothing(string epochs, string[] flags, string message)
    {
        using var files = new TempDirectory();
        var sweep = files.Combine("sweep.yaml");
        var grid = epochs.StartsWith("epochs: [", StringComparison.Ordinal)
            ? $"base: {{ model: mlp, data: sample, limit: 600, workers: 1 }}\ngrid:\n  {epochs}\n  learning_rate: [0.01, 0.05]\n"
            : $"base: {{ model: mlp, data: sample, limit: 600, workers: 1, {epochs} }}\ngrid:\n  learning_rate: [0.01, 0.05]\n";
        await File.WriteAllTextAsync(sweep, grid);

        var (code, output) = await CliProcess.RunAsync(Limit, ["sweep", "--server", cluster.Url, "--file", sweep, .. flags]);

        Assert.True(code == CliApp.BadInput, output);
        Assert.Contains(message, CliProcess.Flat(output), StringComparison.Ordinal);
        Assert.DoesNotContain("submitted", output, StringComparison.Ordinal);
    }

    /// <summary>The rank-1 row of a sweep's table: its point and test accuracy in percent.</summary>
    private static (string Point, double Accuracy, string Row) Winner(string output)
    {
        var row = output.Split('\n').First(line => RankOne().IsMatch(line));
        var cells = row.Split('│', StringSplitOptions.TrimEntries);
        var accuracy = Percent().Match(row);
        Assert.True(accuracy.Success, row);
        return (cells[3], double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture), row);
    }

    [GeneratedRegex(@"^\s*│\s*1\s*│")]
    private static partial Regex RankOne();

    [GeneratedRegex(@"│\s*([\d.]+) %\s*│")]
    private static partial Regex Percent();

    [GeneratedRegex(@"halving trained [\d,]+ samples, ([\d.]+) x the")]
    private static partial Regex CostRatio();

    [GeneratedRegex(@"│\s*Stopped\s*│")]
    private static partial Regex StoppedRows();
}
