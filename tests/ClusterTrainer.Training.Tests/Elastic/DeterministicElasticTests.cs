using System.Diagnostics;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Training.Tests.Elastic;

/// <summary>
/// With --deterministic, a `cluster` job that loses a worker process or gains a worker node ends with the parameter
/// checksum of `train --workers 1`: the micro-batches do not depend on the worker count and their sum is exact, so
/// neither the regroup nor the join may change a bit.
/// </summary>
public sealed class DeterministicElasticTests
{
    private static readonly string[] Job = ["--model", "mlp", "--data", "sample", "--epochs", "3", "--seed", "8", "--deterministic", "--micro-batch", "25"];

    [Fact]
    public async Task A_deterministic_job_that_loses_one_of_three_worker_processes_should_end_with_the_bits_of_one_worker()
    {
        var expected = await OneWorkerChecksumAsync();
        using var run = new TempDirectory();
        await using var cluster = CliProcess.Start(["cluster", "--workers", "3", .. Job, "--out", run.Path]);
        await cluster.WaitForOutputAsync("epoch 2/3", TimeSpan.FromMinutes(3));
        Process.GetProcessById(MultiNodeTests.WorkerPids(run.Path).First()).Kill();

        var code = await cluster.WaitForExitAsync(TimeSpan.FromMinutes(4));
        Assert.True(code == 0, cluster.Output);
        var summary = new RunDirectory(run.Path).ReadSummary();
        Assert.Equal("lost", Assert.Single(summary.Membership).Change);
        Assert.Equal([6000L, 6000L, 6000L], summary.SamplesPerEpoch);
        Assert.Equal(expected, summary.ParameterChecksum);
    }

    [Fact]
    public async Task A_deterministic_job_that_a_worker_node_joins_should_end_with_the_bits_of_one_worker()
    {
        var expected = await OneWorkerChecksumAsync();
        using var run = new TempDirectory();
        await using var cluster = CliProcess.Start(["cluster", "--workers", "1", "--max-workers", "2", .. Job, "--out", run.Path]);
        await cluster.WaitForOutputAsync("epoch 1/3", TimeSpan.FromMinutes(3));
        await using var joiner = CliProcess.Start("node", "--role", "worker", "--host", "127.0.0.1", "--port", "0", "--seed-nodes", ClusterOutput.SeedAddress(cluster.Output));

        var code = await cluster.WaitForExitAsync(TimeSpan.FromMinutes(4));
        Assert.True(code == 0, cluster.Output);
        var summary = new RunDirectory(run.Path).ReadSummary();
        Assert.Equal("joined", Assert.Single(summary.Membership).Change);
        Assert.Equal(2, summary.Workers);
        Assert.Equal(expected, summary.ParameterChecksum);
    }

    private static async Task<string> OneWorkerChecksumAsync()
    {
        using var reference = new TempDirectory();
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), ["train", "--workers", "1", .. Job, "--out", reference.Path]);
        Assert.True(code == 0, output);
        var checksum = new RunDirectory(reference.Path).ReadSummary().ParameterChecksum;
        Assert.False(string.IsNullOrWhiteSpace(checksum), "the one-worker run wrote no parameter checksum");
        return checksum;
    }
}
