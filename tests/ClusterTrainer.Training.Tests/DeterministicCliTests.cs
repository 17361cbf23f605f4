using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Training.Tests;

/// <summary>`--deterministic`, `--micro-batch` and `--precision` through the real `clustertrainer` executable.</summary>
public class DeterministicCliTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Train_in_one_process_and_cluster_over_tcp_should_write_the_same_parameter_checksum()
    {
        // One worker in-process against three worker processes whose int64 sums cross the TCP ring.
        string[] common = ["--deterministic", "--model", "mlp", "--data", "sample", "--limit", "530", "--epochs", "1", "--batch-size", "40", "--micro-batch", "10", "--seed", "3"];
        using var alone = new TempDirectory();
        using var cluster = new TempDirectory();
        var (trainCode, trainOutput) = await CliProcess.RunAsync(Limit, ["train", .. common, "--workers", "1", "--out", alone.Path]);
        Assert.True(trainCode == 0, trainOutput);
        var (clusterCode, clusterOutput) = await CliProcess.RunAsync(Limit, ["cluster", .. common, "--workers", "3", "--out", cluster.Path]);
        Assert.True(clusterCode == 0, clusterOutput);

        var one = new RunDirectory(alone.Path).ReadSummary();
        var three = new RunDirectory(cluster.Path).ReadSummary();
        Assert.Equal(3, three.Workers);
        Assert.Equal(one.ParameterChecksum, three.ParameterChecksum);
        Assert.Equal(one.FinalLoss, three.FinalLoss);
        Assert.True(three.Settings.Deterministic);
        Assert.Equal(10, three.Settings.MicroBatch);
    }

    [Theory]
    [InlineData("--micro-batch", "8")]
    [InlineData("--deterministic", "--micro-batch", "0")]
    [InlineData("--deterministic", "--micro-batch", "500")]
    public async Task A_micro_batch_that_cannot_be_used_should_be_refused_with_exit_2_naming_the_flag(params string[] flags)
    {
        var (code, output) = await CliProcess.RunAsync(Limit, ["train", "--data", "sample", .. flags]);

        Assert.True(code == 2, $"exit code {code}: {output}");
        Assert.Contains("--micro-batch", CliProcess.Flat(output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_with_bf16_should_finish_and_record_the_precision()
    {
        using var run = new TempDirectory();
        var (code, output) = await CliProcess.RunAsync(Limit, "train", "--precision", "bf16", "--data", "sample", "--limit", "600", "--epochs", "1", "--out", run.Path);

        Assert.True(code == 0, output);
        Assert.Equal(ClusterTrainer.Core.Precision.Bf16, new RunDirectory(run.Path).ReadSettings().Precision);
    }

    [Theory]
    [InlineData("train", "--precision", "fp8", "--data", "sample")]
    [InlineData("submit", "--precision", "fp8", "--data", "sample", "--server", "http://127.0.0.1:1")]
    public async Task A_precision_that_cannot_run_should_be_refused_with_exit_2_naming_the_flag(params string[] arguments)
    {
        var (code, output) = await CliProcess.RunAsync(Limit, arguments);

        Assert.True(code == 2, $"exit code {code}: {output}");
        Assert.Contains("--precision", CliProcess.Flat(output), StringComparison.Ordinal);
    }
}
