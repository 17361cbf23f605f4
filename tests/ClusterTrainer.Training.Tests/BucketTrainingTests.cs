using ClusterTrainer.Cli;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// `--bucket-mb`: the exchange overlapped with backward, bucket by bucket, trains to the same parameter bits as the
/// exchange after backward, in one process and over the TCP ring (three workers, where the ring's segment order matters).
/// </summary>
public class BucketTrainingTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Three_in_process_workers_with_buckets_should_end_with_the_parameters_of_one_exchange_after_backward()
    {
        // The CNN's default (3.3 MB of gradients) makes two buckets of at least 1 MB: its FC layers, then its convolutions.
        var settings = TrainingSettings.DefaultsFor(ModelKind.Cnn) with { Epochs = 1, Seed = 3, Workers = 3 };
        var data = TestData.Small(train: 320, test: 100);
        using var after = new TempDirectory();
        using var overlapped = new TempDirectory();
        var plain = await ClusterRun.TrainAsync(settings, data, after.Path);
        var bucketed = await ClusterRun.TrainAsync(settings with { BucketMb = 1 }, data, overlapped.Path);

        Assert.Equal(plain.Summary.ParameterChecksum, bucketed.Summary.ParameterChecksum);
        Assert.Equal(plain.Summary.FinalLoss, bucketed.Summary.FinalLoss);
        Assert.Equal(1, bucketed.Summary.Settings.BucketMb);
    }

    [Fact]
    public async Task Cluster_over_tcp_with_buckets_should_write_the_checksum_of_the_same_cluster_without()
    {
        // The ring adds in another order than the in-process group, so both runs cross the ring.
        string[] common = ["cluster", "--model", "cnn", "--data", "sample", "--limit", "288", "--epochs", "1", "--seed", "4", "--workers", "3"];
        using var afterBackward = new TempDirectory();
        using var cluster = new TempDirectory();
        var (plainCode, plainOutput) = await CliProcess.RunAsync(Limit, [.. common, "--out", afterBackward.Path]);
        Assert.True(plainCode == 0, plainOutput);
        var (clusterCode, clusterOutput) = await CliProcess.RunAsync(Limit, [.. common, "--bucket-mb", "1", "--out", cluster.Path]);
        Assert.True(clusterCode == 0, clusterOutput);

        var plain = new RunDirectory(afterBackward.Path).ReadSummary();
        var bucketed = new RunDirectory(cluster.Path).ReadSummary();
        Assert.Equal(3, bucketed.Workers);
        Assert.Equal(1, bucketed.Settings.BucketMb);
        Assert.Equal(plain.ParameterChecksum, bucketed.ParameterChecksum);
    }

    [Theory]
    [InlineData("must be 1 to 1024", "--bucket-mb", "0")]
    [InlineData("cannot be used with --deterministic", "--bucket-mb", "1", "--deterministic")]
    [InlineData("needs --precision float32", "--bucket-mb", "1", "--precision", "bf16")]
    [InlineData("needs --exchange-precision float32", "--bucket-mb", "1", "--exchange-precision", "bf16")]
    public async Task Buckets_that_cannot_run_should_be_refused_with_exit_2_naming_the_flag(string reason, params string[] flags)
    {
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), ["train", "--data", "sample", .. flags]);

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("--bucket-mb", output, StringComparison.Ordinal);
        Assert.Contains(reason, output, StringComparison.Ordinal);
    }
}
