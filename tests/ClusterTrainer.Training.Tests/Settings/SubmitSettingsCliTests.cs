using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using Grpc.Net.Client;

namespace ClusterTrainer.Training.Tests.Settings;

/// <summary>
/// What `submit` and `sweep` ask for is what the job runs (issue 11, item 4), met through the real program against
/// a coordinator with one worker node.
/// </summary>
public sealed class SubmitSettingsCliTests(ApiCluster cluster) : IClassFixture<ApiCluster>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Submit_should_run_the_job_with_momentum_0_seed_0_floor_0_and_the_dropout_threads_staging_and_class_limit_given()
    {
        var (code, output) = await CliProcess.RunAsync(Limit, "submit", "--server", cluster.Url, "--data", "sample", "--limit", "600", "--epochs", "1", "--workers", "1",
            "--optimizer", "sgd", "--momentum", "0", "--seed", "0", "--lr-floor", "0", "--dropout", "0.25", "--threads", "1", "--exchange-staging", "always", "--max-classes", "10", "--watch");
        Assert.True(code == 0, output);

        var job = await Job(output.Split('\n')[0].Trim());
        var settings = RunJson.Deserialize<TrainingSettings>(await File.ReadAllTextAsync(Path.Combine(job.RunDirectory, RunDirectory.SettingsFile)), "settings.json");
        Assert.Equal(0, settings.Momentum);
        Assert.Equal(0, settings.LrFloor);
        Assert.Equal(0.25, settings.Dropout);
        Assert.Equal(0, settings.Seed);
        Assert.Equal(1, settings.Threads);
        Assert.Equal(ExchangeStaging.Always, settings.ExchangeStaging);
        Assert.Equal(10, settings.MaxClasses);
        // What the worker's libtorch ran with, reported back from the worker node: the job's threads, not the node's cores.
        Assert.Contains("\"threads_per_worker\": 1,", job.SummaryJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_should_run_the_job_deterministic_in_bf16_with_the_micro_batch_given()
    {
        var (code, output) = await CliProcess.RunAsync(Limit, "submit", "--server", cluster.Url, "--data", "sample", "--limit", "400", "--epochs", "1", "--workers", "1",
            "--deterministic", "--micro-batch", "25", "--precision", "bf16", "--watch");
        Assert.True(code == 0, output);

        var job = await Job(output.Split('\n')[0].Trim());
        var settings = RunJson.Deserialize<TrainingSettings>(await File.ReadAllTextAsync(Path.Combine(job.RunDirectory, RunDirectory.SettingsFile)), "settings.json");
        Assert.True(settings.Deterministic);
        Assert.Equal(25, settings.MicroBatch);
        Assert.Equal(Precision.Bf16, settings.Precision);
    }

    [Fact]
    public async Task Submit_on_cuda_to_a_cluster_without_a_gpu_should_fail_naming_the_node()
    {
        var (code, output) = await CliProcess.RunAsync(Limit, "submit", "--server", cluster.Url, "--data", "sample", "--limit", "200", "--epochs", "1", "--workers", "1", "--device", "cuda", "--watch");

        var text = CliProcess.Flat(output);
        Assert.True(code == CliApp.Failed, $"exit code {code}: {text}");
        Assert.Matches(@"node akka\.tcp://clustertrainer@127\.0\.0\.1:\d+ cannot train on cuda", text);
        Assert.Contains("--device cpu", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("threads: [1, 0]", "point 2 (threads=0): threads: must be at least 1")]
    [InlineData("device: [cpu, tpu]", "point 2 (device=tpu): device: must be cpu or cuda (got 'tpu')")]
    [InlineData("exchange_staging: [auto, sideways]", "point 2 (exchange_staging=sideways): exchange_staging: 'sideways' is not one of auto, always, never")]
    [InlineData("hidden: [[64, 32], [16, 0]]", "point 2 (hidden=16,0): hidden: '0' is not a positive layer size")]
    public async Task A_sweep_with_a_bad_value_should_name_the_key_and_the_point_and_submit_nothing(string grid, string named)
    {
        using var files = new TempDirectory();
        var sweep = files.Combine("sweep.yaml");
        await File.WriteAllTextAsync(sweep, $"base: {{ model: mlp, data: sample, epochs: 1, limit: 600 }}\ngrid:\n  {grid}\n");
        var before = await JobCount();

        var (code, output) = await CliProcess.RunAsync(Limit, "sweep", "--server", cluster.Url, "--file", sweep);

        Assert.True(code == CliApp.BadInput, output);
        Assert.Contains(named, CliProcess.Flat(output), StringComparison.Ordinal);
        Assert.Equal(before, await JobCount());
    }

    [Fact]
    public async Task A_sweep_with_an_unknown_key_should_name_it_and_list_the_known_ones()
    {
        using var files = new TempDirectory();
        var sweep = files.Combine("sweep.yaml");
        await File.WriteAllTextAsync(sweep, "base: { model: mlp, data: sample }\ngrid:\n  weight_decay: [0.1, 0.2]\n");

        var (code, output) = await CliProcess.RunAsync(Limit, "sweep", "--server", cluster.Url, "--file", sweep);

        var text = CliProcess.Flat(output);
        Assert.True(code == CliApp.BadInput, text);
        Assert.Contains("unknown setting 'weight_decay'", text, StringComparison.Ordinal);
        Assert.Contains("exchange_staging", text, StringComparison.Ordinal);
    }

    private async Task<JobInfo> Job(string jobId)
    {
        using var channel = GrpcChannel.ForAddress(cluster.Url);
        return await new Jobs.JobsClient(channel).GetJobAsync(new GetJobRequest { JobId = jobId });
    }

    private async Task<int> JobCount()
    {
        using var channel = GrpcChannel.ForAddress(cluster.Url);
        return (await new Jobs.JobsClient(channel).ListJobsAsync(new ListJobsRequest())).Jobs.Count;
    }
}
