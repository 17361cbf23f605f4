using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Cli;
using ClusterTrainer.Cluster.Api;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Serilog;
using Spectre.Console.Testing;

namespace ClusterTrainer.Training.Tests;

/// <summary>A coordinator node with its gRPC job API and one worker node, started once on 127.0.0.1 for these tests.</summary>
public sealed class ApiCluster : IAsyncLifetime
{
    private ActorSystemHost? _coordinator;
    private ActorSystemHost? _worker;

    public TempDirectory Runs { get; } = new();

    public string Url { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var log = new LoggerConfiguration().CreateLogger();
        var port = LocalPorts.Free();
        var grpcPort = LocalPorts.Free();
        Url = $"http://127.0.0.1:{grpcPort}";
        _coordinator = await ClusterNodeHost.StartAsync(new NodeOptions(["coordinator"], "127.0.0.1", port, null, []), log,
            api: new ApiOptions("127.0.0.1", grpcPort, Runs.Path, null));
        _worker = await ClusterNodeHost.StartAsync(new NodeOptions(["worker"], "127.0.0.1", 0, null, [$"akka.tcp://clustertrainer@127.0.0.1:{port}"]), log);
    }

    public async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        if (_coordinator is not null)
        {
            await _coordinator.DisposeAsync();
        }

        Runs.Dispose();
    }
}

public sealed class ApiTests(ApiCluster cluster) : IClassFixture<ApiCluster>
{
    private static async Task<JobInfo> ListedUntilAsync(Jobs.JobsClient client, string jobId, Func<JobInfo, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var job = (await client.ListJobsAsync(new ListJobsRequest())).Jobs.Single(j => j.JobId == jobId);
            if (condition(job) || DateTime.UtcNow > deadline)
            {
                return job;
            }

            await Task.Delay(50);
        }
    }

    private static TrainingSpec SmallMlp(int epochs = 2) => new() { Model = "mlp", Data = "sample", Epochs = epochs, Limit = 3000, Workers = 1 };

    [Fact]
    public async Task Submit_and_watch_to_the_end_should_give_a_summary_with_accuracy()
    {
        using var channel = GrpcChannel.ForAddress(cluster.Url);
        var client = new Jobs.JobsClient(channel);
        var job = await client.SubmitJobAsync(new SubmitJobRequest { Name = "first", Training = SmallMlp() });
        Assert.Equal(JobState.Queued, job.State);

        var events = new List<JobEvent>();
        using var watch = client.WatchJob(new WatchJobRequest { JobId = job.JobId }, deadline: DateTime.UtcNow.AddMinutes(3));
        await foreach (var e in watch.ResponseStream.ReadAllAsync())
        {
            events.Add(e);
        }

        var ended = events[^1].Ended;
        Assert.True(ended.State == JobState.Finished, ended.Error);
        Assert.Equal(2, events.Count(e => e.EventCase == JobEvent.EventOneofCase.Epoch));
        Assert.True(ended.TestAccuracy > 0.65, $"test accuracy {ended.TestAccuracy:P2}");
        Assert.Contains("\"test_accuracy\"", ended.SummaryJson, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(ended.RunDirectory, "summary.json")));

        var listed = await client.ListJobsAsync(new ListJobsRequest());
        Assert.Contains(listed.Jobs, j => j.JobId == job.JobId && j.State == JobState.Finished);
    }

    [Fact]
    public async Task Cancel_should_stop_a_running_job_and_watch_should_report_it()
    {
        using var channel = GrpcChannel.ForAddress(cluster.Url);
        var client = new Jobs.JobsClient(channel);
        var job = await client.SubmitJobAsync(new SubmitJobRequest { Training = new TrainingSpec { Model = "cnn", Data = "sample", Epochs = 50, Workers = 1 } });
        using var watch = client.WatchJob(new WatchJobRequest { JobId = job.JobId }, deadline: DateTime.UtcNow.AddMinutes(3));
        JobInfo? ended = null;
        await foreach (var e in watch.ResponseStream.ReadAllAsync())
        {
            if (e.EventCase == JobEvent.EventOneofCase.Progress)
            {
                await client.CancelJobAsync(new CancelJobRequest { JobId = job.JobId });
            }

            if (e.EventCase == JobEvent.EventOneofCase.Ended)
            {
                ended = e.Ended;
            }
        }

        Assert.NotNull(ended);
        Assert.Equal(JobState.Cancelled, ended.State);
    }

    [Fact]
    public async Task A_sweep_of_two_jobs_should_come_back_as_one_table()
    {
        using var files = new TempDirectory();
        var sweep = files.Combine("sweep.yaml");
        await File.WriteAllTextAsync(sweep, "base: { model: mlp, data: sample, epochs: 1, limit: 600, workers: 1 }\ngrid:\n  learning_rate: [0.01, 0.1]\n");
        var console = new TestConsole().Width(300);
        var code = await CliApp.RunAsync(["sweep", "--server", cluster.Url, "--file", sweep], console);
        Assert.True(code == 0, console.Output);
        Assert.Contains("learning_rate=0.01", console.Output, StringComparison.Ordinal);
        Assert.Contains("learning_rate=0.1", console.Output, StringComparison.Ordinal);
        Assert.Equal(2, console.Output.Split('\n').Count(line => line.Contains("Finished", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_dqn_job_should_run_through_the_api_and_write_its_summary()
    {
        using var channel = GrpcChannel.ForAddress(cluster.Url);
        var client = new Jobs.JobsClient(channel);
        var job = await client.SubmitJobAsync(new SubmitJobRequest { Dqn = new DqnSpec { Env = "cartpole", Collectors = 1, Steps = 3000, Seed = 2 } });
        using var watch = client.WatchJob(new WatchJobRequest { JobId = job.JobId }, deadline: DateTime.UtcNow.AddMinutes(4));
        JobInfo? ended = null;
        var progress = 0;
        await foreach (var e in watch.ResponseStream.ReadAllAsync())
        {
            progress += e.EventCase == JobEvent.EventOneofCase.Progress ? 1 : 0;
            ended = e.EventCase == JobEvent.EventOneofCase.Ended ? e.Ended : ended;
        }

        Assert.NotNull(ended);
        Assert.True(ended.State == JobState.Finished, ended.Error);
        Assert.True(progress > 0, "no progress events");
        Assert.True(ended.EvalMeanReturn >= 1, $"greedy mean return {ended.EvalMeanReturn}");
        Assert.Contains("\"eval_mean_return\"", ended.SummaryJson, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(ended.RunDirectory, "model.bin")));
    }

    [Fact]
    public async Task A_dqn_job_should_wait_in_the_same_queue_for_the_worker_node_a_supervised_job_holds()
    {
        using var channel = GrpcChannel.ForAddress(cluster.Url);
        var client = new Jobs.JobsClient(channel);
        var supervised = await client.SubmitJobAsync(new SubmitJobRequest { Training = SmallMlp(epochs: 500) });
        using var supervisedWatch = client.WatchJob(new WatchJobRequest { JobId = supervised.JobId }, deadline: DateTime.UtcNow.AddMinutes(3));
        Assert.True(await supervisedWatch.ResponseStream.MoveNext(), "the supervised job ended without an event");
        var dqn = await client.SubmitJobAsync(new SubmitJobRequest { Dqn = new DqnSpec { Env = "cartpole", Collectors = 1, Steps = 2000, Seed = 2 } });

        // The API records the job before its reservation reaches the job manager's queue, so the position shows
        // up a moment after the submit returns.
        var waiting = await ListedUntilAsync(client, dqn.JobId, job => job.QueuePosition > 0);
        Assert.Equal(JobState.Queued, waiting.State);
        Assert.Equal(1, waiting.QueuePosition);
        Assert.Equal(JobState.Running, (await client.GetJobAsync(new GetJobRequest { JobId = supervised.JobId })).State);

        await client.CancelJobAsync(new CancelJobRequest { JobId = supervised.JobId });
        using var watch = client.WatchJob(new WatchJobRequest { JobId = dqn.JobId }, deadline: DateTime.UtcNow.AddMinutes(4));
        JobInfo? ended = null;
        await foreach (var e in watch.ResponseStream.ReadAllAsync())
        {
            ended = e.EventCase == JobEvent.EventOneofCase.Ended ? e.Ended : ended;
        }

        Assert.NotNull(ended);
        Assert.True(ended.State == JobState.Finished, ended.Error);
        Assert.Equal(JobState.Cancelled, (await client.GetJobAsync(new GetJobRequest { JobId = supervised.JobId })).State);
    }

    [Fact]
    public async Task A_request_with_both_or_neither_kind_of_job_or_a_bad_environment_should_be_refused()
    {
        using var channel = GrpcChannel.ForAddress(cluster.Url);
        var client = new Jobs.JobsClient(channel);
        var neither = await Assert.ThrowsAsync<RpcException>(async () => await client.SubmitJobAsync(new SubmitJobRequest()));
        Assert.Equal(StatusCode.InvalidArgument, neither.StatusCode);
        var both = await Assert.ThrowsAsync<RpcException>(async () => await client.SubmitJobAsync(new SubmitJobRequest { Training = SmallMlp(), Dqn = new DqnSpec() }));
        Assert.Equal(StatusCode.InvalidArgument, both.StatusCode);
        var badEnv = await Assert.ThrowsAsync<RpcException>(async () => await client.SubmitJobAsync(new SubmitJobRequest { Dqn = new DqnSpec { Env = "pong" } }));
        Assert.Equal(StatusCode.InvalidArgument, badEnv.StatusCode);
        Assert.StartsWith("dqn.env", badEnv.Status.Detail, StringComparison.Ordinal);
        var badSteps = await Assert.ThrowsAsync<RpcException>(async () => await client.SubmitJobAsync(new SubmitJobRequest { Dqn = new DqnSpec { Env = "cartpole", Steps = -5 } }));
        Assert.StartsWith("dqn.steps", badSteps.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("epochs", "training.epochs")]
    [InlineData("model", "training.model")]
    [InlineData("batch", "training.batch_size")]
    [InlineData("workers", "training.workers")]
    public async Task Malformed_requests_should_be_refused_naming_the_field(string what, string field)
    {
        using var channel = GrpcChannel.ForAddress(cluster.Url);
        var client = new Jobs.JobsClient(channel);
        var spec = SmallMlp();
        switch (what)
        {
            case "epochs": spec.Epochs = -3; break;
            case "model": spec.Model = "transformer"; break;
            case "batch": spec.BatchSize = -1; break;
            default: spec.Workers = 100000; break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.SubmitJobAsync(new SubmitJobRequest { Training = spec }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith(field, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_or_missing_job_ids_should_be_NotFound_and_InvalidArgument()
    {
        using var channel = GrpcChannel.ForAddress(cluster.Url);
        var client = new Jobs.JobsClient(channel);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await client.GetJobAsync(new GetJobRequest { JobId = "nope" }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var empty = await Assert.ThrowsAsync<RpcException>(async () => await client.CancelJobAsync(new CancelJobRequest()));
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);

        // The node survives bad requests: a good one still works.
        var status = await client.ClusterStatusAsync(new ClusterStatusRequest());
        Assert.Contains(status.Members, m => m.Roles.Contains("worker") && m.Reachable);
        Assert.Contains(status.Members, m => m.Roles.Contains("coordinator"));
    }

    [Fact]
    public async Task The_cli_client_should_exit_with_the_jobs_outcome()
    {
        var console = new TestConsole().Width(300);
        var code = await CliApp.RunAsync(["submit", "--server", cluster.Url, "--model", "mlp", "--data", "sample", "--limit", "600", "--epochs", "1", "--workers", "1", "--watch"], console);
        Assert.True(code == 0, console.Output);
        Assert.Contains("finished", console.Output, StringComparison.Ordinal);

        var failing = new TestConsole().Width(300);
        var failed = await CliApp.RunAsync(["submit", "--server", cluster.Url, "--model", "mlp", "--data", "/nonexistent/data", "--epochs", "1", "--watch"], failing);
        Assert.Equal(CliApp.Failed, failed);
        Assert.Contains("/nonexistent/data", failing.Output, StringComparison.Ordinal);
    }
}

public class ApiSecurityTests
{
    [Fact]
    public void A_job_api_beyond_loopback_should_refuse_to_start_without_a_token()
    {
        var error = Assert.Throws<SettingsException>(() => new ApiOptions("0.0.0.0", 5000, "/tmp/runs", null).Validate());
        Assert.Contains("CLUSTERTRAINER_TOKEN", error.Message, StringComparison.Ordinal);
        Assert.False(new ApiOptions("127.0.0.1", 5000, "/tmp/runs", null).RequiresToken);
    }

    [Fact]
    public async Task Bound_to_all_interfaces_every_call_should_need_the_token_but_health_should_not()
    {
        var log = new LoggerConfiguration().CreateLogger();
        var port = LocalPorts.Free();
        var grpcPort = LocalPorts.Free();
        using var runs = new TempDirectory();
        await using var coordinator = await ClusterNodeHost.StartAsync(new NodeOptions(["coordinator"], "0.0.0.0", port, "127.0.0.1", []), log,
            api: new ApiOptions("0.0.0.0", grpcPort, runs.Path, "s3cret"));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var client = new Jobs.JobsClient(channel);

        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await client.ListJobsAsync(new ListJobsRequest()));
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        var wrong = await Assert.ThrowsAsync<RpcException>(async () => await client.ListJobsAsync(new ListJobsRequest(), new Metadata { { "authorization", "Bearer nope" } }));
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        var watchAnonymous = client.WatchJob(new WatchJobRequest { JobId = "x" });
        var streamError = await Assert.ThrowsAsync<RpcException>(async () => await watchAnonymous.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unauthenticated, streamError.StatusCode);

        var listed = await client.ListJobsAsync(new ListJobsRequest(), new Metadata { { "authorization", "Bearer s3cret" } });
        Assert.Empty(listed.Jobs);

        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }
}
