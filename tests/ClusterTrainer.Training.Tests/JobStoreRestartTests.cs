using System.Globalization;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Checkpoints;
using ClusterTrainer.Core.Outputs;
using Grpc.Net.Client;
using Xunit.Abstractions;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// The durable job store through real processes (issue 11): kill -9 the coordinator with one job running and three
/// queued, start it again on the same runs directory, and every job ends; the history from before is listed. The job
/// that was running resumes from its newest checkpoint (issue 10) and ends with the parameters of a run that was never
/// interrupted (within 1e-5).
/// </summary>
public sealed class JobStoreRestartTests(ITestOutputHelper output)
{
    private const int RunningEpochs = 4;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public Task A_killed_coordinator_restarted_on_its_sqlite_store_should_end_every_job_and_list_the_history() => RestartAsync(jobStore: null);

    [PostgresFact]
    public async Task A_killed_coordinator_restarted_on_its_postgresql_store_should_end_every_job_and_list_the_history()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await RestartAsync(postgres.Url);
    }

    private async Task RestartAsync(string? jobStore)
    {
        using var runs = new TempDirectory();
        var port = LocalPorts.Free().ToString(CultureInfo.InvariantCulture);
        var grpcPort = LocalPorts.Free();
        string[] coordinatorArguments = ["node", "--role", "coordinator", "--host", "127.0.0.1", "--port", port, "--grpc-port", grpcPort.ToString(CultureInfo.InvariantCulture),
            "--management-port", "0", "--runs", runs.Path, .. jobStore is null ? Array.Empty<string>() : ["--job-store", jobStore]];
        string[] workerArguments = ["node", "--role", "worker", "--host", "127.0.0.1", "--port", "0", "--seed-nodes", $"akka.tcp://clustertrainer@127.0.0.1:{port}"];
        var url = $"http://127.0.0.1:{grpcPort}";

        await using var coordinator = CliProcess.Start(coordinatorArguments);
        await using var worker = CliProcess.Start(workerArguments);
        using var channel = GrpcChannel.ForAddress(url);
        var client = new Jobs.JobsClient(channel);
        await WaitForWorkerAsync(client);

        var running = await client.SubmitJobAsync(new SubmitJobRequest { Name = "running", Training = new TrainingSpec { Model = "mlp", Data = "sample", Epochs = RunningEpochs, Workers = 1, Seed = 7, CheckpointEvery = 10 } });
        var queued = new List<JobInfo>();
        for (var i = 0; i < 3; i++)
        {
            queued.Add(await client.SubmitJobAsync(new SubmitJobRequest { Name = $"queued {i}", Training = new TrainingSpec { Model = "mlp", Data = "sample", Epochs = 1, Limit = 600, Workers = 1, Seed = i + 1 } }));
        }

        await UntilAsync(client, jobs => jobs.Any(j => j.JobId == running.JobId && j.State == JobState.Running), "the first job never started");
        var checkpoints = new CheckpointStore(Path.Combine(runs.Path, running.JobId));
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(checkpoints.HasCheckpoints), Limit), $"the running job wrote no checkpoint\n{coordinator.Output}");
        coordinator.Process.Kill();
        Assert.True(await coordinator.WaitForExitAsync(TimeSpan.FromSeconds(30)) != 0, "the coordinator survived kill -9");

        await using var restarted = CliProcess.Start(coordinatorArguments);
        await using var newWorker = CliProcess.Start(workerArguments);
        var ended = await UntilAsync(client, jobs => jobs.Count == 4 && jobs.All(j => j.State is JobState.Finished or JobState.Failed or JobState.Cancelled), "not every job ended after the restart");

        var first = ended.Single(j => j.JobId == running.JobId);
        Assert.True(first.State == JobState.Finished, $"{first.State} {first.Error}\n{restarted.Output}");
        var resumed = Path.Combine(runs.Path, running.JobId);
        var summary = new RunDirectory(resumed).ReadSummary();
        Assert.Contains(summary.Membership, change => change.Change == "resumed");
        Assert.All(summary.SamplesPerEpoch, samples => Assert.Equal(6000, samples));
        using var reference = new TempDirectory();
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Epochs = RunningEpochs, Data = "sample", Seed = 7 };
        var uninterrupted = await ClusterRun.TrainAsync(settings, TestData.FashionSample, reference.Path);
        var difference = RunParameters.MaxDifference(RunParameters.Load(settings, resumed), uninterrupted.Parameters);
        Assert.True(difference <= 1e-5, $"max |difference| {difference:E3} between the resumed job and an uninterrupted run");
        foreach (var job in queued)
        {
            var after = ended.Single(j => j.JobId == job.JobId);
            Assert.True(after.State == JobState.Finished, $"{after.JobId}: {after.State} {after.Error}\n{restarted.Output}");
        }

        var (code, table) = await CliProcess.RunAsync(Limit, "jobs", "--server", url);
        output.WriteLine(table);
        Assert.True(code == 0, table);
        Assert.All(new[] { running }.Concat(queued), job => Assert.Contains(job.JobId, table, StringComparison.Ordinal));
        // The history came from the store asked for, not from a default beside it.
        Assert.Equal(jobStore is null, File.Exists(Path.Combine(runs.Path, "jobs.db")));
    }

    [Fact]
    public async Task A_job_running_before_its_first_checkpoint_when_the_coordinator_is_killed_should_start_again_from_the_beginning()
    {
        using var runs = new TempDirectory();
        var port = LocalPorts.Free().ToString(CultureInfo.InvariantCulture);
        var grpcPort = LocalPorts.Free();
        string[] coordinatorArguments = ["node", "--role", "coordinator", "--host", "127.0.0.1", "--port", port, "--grpc-port", grpcPort.ToString(CultureInfo.InvariantCulture),
            "--management-port", "0", "--runs", runs.Path];
        string[] workerArguments = ["node", "--role", "worker", "--host", "127.0.0.1", "--port", "0", "--seed-nodes", $"akka.tcp://clustertrainer@127.0.0.1:{port}"];
        await using var coordinator = CliProcess.Start(coordinatorArguments);
        await using var worker = CliProcess.Start(workerArguments);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var client = new Jobs.JobsClient(channel);
        await WaitForWorkerAsync(client);

        // Small batches make the first epoch (whose end writes the first checkpoint) last several seconds.
        var spec = new TrainingSpec { Model = "cnn", Data = "sample", Epochs = 2, Limit = 3000, BatchSize = 8, Workers = 1, Seed = 9 };
        var job = await client.SubmitJobAsync(new SubmitJobRequest { Name = "no checkpoint yet", Training = spec });
        await UntilAsync(client, jobs => jobs.Any(j => j.JobId == job.JobId && j.State == JobState.Running), "the job never started");
        coordinator.Process.Kill();
        Assert.True(await coordinator.WaitForExitAsync(TimeSpan.FromSeconds(30)) != 0, "the coordinator survived kill -9");
        var run = Path.Combine(runs.Path, job.JobId);
        Assert.True(!new CheckpointStore(run).HasCheckpoints, "the job had written a checkpoint before the kill: the test proves nothing");

        await using var restarted = CliProcess.Start(coordinatorArguments);
        await using var newWorker = CliProcess.Start(workerArguments);
        var ended = (await UntilAsync(client, jobs => jobs.Any(j => j.JobId == job.JobId && j.State is JobState.Finished or JobState.Failed or JobState.Cancelled), "the job never ended after the restart"))
            .Single(j => j.JobId == job.JobId);
        Assert.True(ended.State == JobState.Finished, $"{ended.State} {ended.Error}\n{restarted.Output}");
        var summary = new RunDirectory(run).ReadSummary();
        Assert.DoesNotContain(summary.Membership, change => change.Change == "resumed");
        Assert.Equal([3000L, 3000L], summary.SamplesPerEpoch);
        using var reference = new TempDirectory();
        var settings = TrainingSettings.DefaultsFor(ModelKind.Cnn) with { Epochs = 2, Data = "sample", Limit = 3000, BatchSize = 8, Workers = 1, Seed = 9 };
        var sample = TestData.FashionSample;
        var uninterrupted = await ClusterRun.TrainAsync(settings, sample with { Train = sample.Train.Take(3000) }, reference.Path);
        var difference = RunParameters.MaxDifference(RunParameters.Load(settings, run), uninterrupted.Parameters);
        Assert.True(difference <= 1e-5, $"max |difference| {difference:E3} between the job started again and an uninterrupted run");
    }

    private static async Task WaitForWorkerAsync(Jobs.JobsClient client)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            try
            {
                var status = await client.ClusterStatusAsync(new ClusterStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
                if (status.IdleWorkers + status.BusyWorkers >= 1)
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline)
            {
                // The coordinator process is still starting.
            }

            Assert.True(DateTime.UtcNow < deadline, "no worker registered with the coordinator");
            await Task.Delay(250);
        }
    }

    /// <summary>Polls the job list (the coordinator may be restarting: calls fail meanwhile) until the condition holds.</summary>
    private static async Task<IReadOnlyList<JobInfo>> UntilAsync(Jobs.JobsClient client, Func<IReadOnlyList<JobInfo>, bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Limit;
        IReadOnlyList<JobInfo> last = [];
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = (await client.ListJobsAsync(new ListJobsRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Jobs;
                if (condition(last))
                {
                    return last;
                }
            }
            catch (Grpc.Core.RpcException)
            {
                // Down or still reading its store.
            }

            await Task.Delay(250);
        }

        Assert.Fail($"{failure}: {string.Join("; ", last.Select(j => $"{j.Name} {j.State} {j.Error}"))}");
        return last;
    }
}
