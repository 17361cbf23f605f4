using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli;
using ClusterTrainer.Cli.Client;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Checkpoints;
using ClusterTrainer.Core.Outputs;
using Grpc.Net.Client;
using Spectre.Console.Testing;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// The job API commands met through the real program against a coordinator with one worker (issue 15, items 6,
/// 7 and 8; issue 13's tables).
/// </summary>
public sealed class JobClientCliTests(ApiCluster cluster) : IClassFixture<ApiCluster>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Submit_should_say_at_once_that_too_few_workers_are_registered_and_cancel_should_say_what_it_did()
    {
        var (code, output) = await CliProcess.RunAsync(Limit, "submit", "--server", cluster.Url, "--data", "sample", "--limit", "600", "--epochs", "1", "--workers", "3");
        Assert.True(code == 0, output);
        var jobId = output.Split('\n')[0].Trim();
        Assert.Contains("only 1 worker is registered with the coordinator and this job needs 3", CliProcess.Flat(output), StringComparison.Ordinal);

        var (listed, table) = await CliProcess.RunAsync(Limit, "jobs", "--server", cluster.Url);
        Assert.True(listed == 0, table);
        var row = table.Split('\n').Single(line => line.Contains(jobId, StringComparison.Ordinal));
        Assert.Contains("Queued", row, StringComparison.Ordinal);
        Assert.DoesNotContain("0.00 %", row, StringComparison.Ordinal);

        var (cancelled, cancelOutput) = await CliProcess.RunAsync(Limit, "cancel", "--server", cluster.Url, jobId);
        Assert.True(cancelled == 0, cancelOutput);
        Assert.Contains($"cancelled {jobId} (it was queued and never started)", CliProcess.Flat(cancelOutput), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_job_resumed_through_the_api_should_finish_with_the_parameters_of_an_uninterrupted_run()
    {
        using var channel = GrpcChannel.ForAddress(cluster.Url);
        var client = new Jobs.JobsClient(channel);
        var job = await client.SubmitJobAsync(new SubmitJobRequest { Name = "to resume", Training = new TrainingSpec { Model = "mlp", Data = "sample", Epochs = 6, Workers = 1, Seed = 8, CheckpointEvery = 10 } });
        var checkpoints = new CheckpointStore(job.RunDirectory);
        Assert.True(await Poll.UntilAsync(() => Task.FromResult(checkpoints.HasCheckpoints), Limit), "the job wrote no checkpoint");
        var (code, output) = await CliProcess.RunAsync(Limit, "cancel", "--server", cluster.Url, job.JobId);
        Assert.True(code == 0, output);
        Assert.True(await Poll.UntilAsync(async () => (await client.GetJobAsync(new GetJobRequest { JobId = job.JobId })).State == JobState.Cancelled, Limit), "the job was not cancelled");

        (code, output) = await CliProcess.RunAsync(Limit, "resume", "--server", cluster.Url, job.JobId);
        Assert.True(code == 0, output);
        var resumed = output.Split('\n')[0].Trim();
        (code, output) = await CliProcess.RunAsync(Limit, "watch", "--server", cluster.Url, resumed);
        Assert.True(code == 0, output);
        var summary = new RunDirectory(job.RunDirectory).ReadSummary();
        Assert.Contains(summary.Membership, change => change.Change == "resumed");
        Assert.All(summary.SamplesPerEpoch, samples => Assert.Equal(6000, samples));

        using var reference = new TempDirectory();
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Epochs = 6, Data = "sample", Seed = 8 };
        var uninterrupted = await ClusterRun.TrainAsync(settings, TestData.FashionSample, reference.Path);
        var difference = RunParameters.MaxDifference(RunParameters.Load(settings, job.RunDirectory), uninterrupted.Parameters);
        Assert.True(difference <= 1e-5, $"max |difference| {difference:E3} between the resumed job and an uninterrupted run");

        (code, output) = await CliProcess.RunAsync(Limit, "resume", "--server", cluster.Url, resumed);
        Assert.Equal(2, code);
        Assert.Contains("only a job that failed or was cancelled can be resumed", CliProcess.Flat(output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_should_number_the_queue_and_status_should_name_the_job_on_each_worker_node()
    {
        using var channel = GrpcChannel.ForAddress(cluster.Url);
        var client = new Jobs.JobsClient(channel);
        var spec = new TrainingSpec { Model = "mlp", Data = "sample", Epochs = 500, Workers = 1 };
        var running = await client.SubmitJobAsync(new SubmitJobRequest { Name = "holds the worker", Training = spec });
        var first = await client.SubmitJobAsync(new SubmitJobRequest { Name = "waits first", Training = spec });
        var second = await client.SubmitJobAsync(new SubmitJobRequest { Name = "waits second", Training = spec });
        try
        {
            var (listed, table) = await CliProcess.RunAsync(Limit, "jobs", "--server", cluster.Url);
            Assert.True(listed == 0, table);
            string Row(JobInfo job) => table.Split('\n').Single(line => line.Contains(job.JobId, StringComparison.Ordinal));
            Assert.Contains("Queued #1", Row(first), StringComparison.Ordinal);
            Assert.Contains("Queued #2", Row(second), StringComparison.Ordinal);
            Assert.DoesNotContain("#", Row(running), StringComparison.Ordinal);

            var (code, status) = await CliProcess.RunAsync(Limit, "status", "--server", cluster.Url);
            Assert.True(code == 0, status);
            Assert.Matches($@"akka\.tcp://clustertrainer@127\.0\.0\.1:\d+ runs {running.JobId}", CliProcess.Flat(status));
            Assert.Contains("queued jobs: 2", CliProcess.Flat(status), StringComparison.Ordinal);
        }
        finally
        {
            foreach (var job in new[] { second, first, running })
            {
                await client.CancelJobAsync(new CancelJobRequest { JobId = job.JobId });
            }
        }
    }

    [Fact]
    public async Task A_sweep_should_rank_its_results_best_test_accuracy_first_and_refuse_a_max_concurrent_below_one()
    {
        using var files = new TempDirectory();
        var sweep = files.Combine("sweep.yaml");
        // A learning rate of 0.0001 barely moves from chance in one epoch: it must end last whatever the order of the grid.
        await File.WriteAllTextAsync(sweep, "base: { model: mlp, optimizer: sgd, data: sample, epochs: 1, limit: 1200, workers: 1 }\ngrid:\n  learning_rate: [0.0001, 0.05, 0.01]\n");

        var (refused, refusal) = await CliProcess.RunAsync(Limit, "sweep", "--server", cluster.Url, "--file", sweep, "--max-concurrent", "0");
        Assert.True(refused == CliApp.BadInput, refusal);
        Assert.Contains("--max-concurrent", refusal, StringComparison.Ordinal);

        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(4), "sweep", "--server", cluster.Url, "--file", sweep, "--max-concurrent", "2");
        Assert.True(code == 0, output);
        var accuracies = output.Split('\n')
            .Select(line => System.Text.RegularExpressions.Regex.Match(line, @"│\s*(\d)\s*│.*Finished\s*│\s*([\d.]+) %"))
            .Where(m => m.Success)
            .Select(m => (Rank: int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Accuracy: double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)))
            .ToArray();
        Assert.Equal([1, 2, 3], accuracies.Select(a => a.Rank));
        Assert.Equal(accuracies.Select(a => a.Accuracy).OrderDescending(), accuracies.Select(a => a.Accuracy));
    }

    [Fact]
    public async Task Cancel_of_a_finished_job_should_say_it_had_already_finished()
    {
        var (code, output) = await CliProcess.RunAsync(Limit, "submit", "--server", cluster.Url, "--data", "sample", "--limit", "600", "--epochs", "1", "--workers", "1", "--watch");
        Assert.True(code == 0, output);
        var jobId = output.Split('\n')[0].Trim();

        var (cancelled, cancelOutput) = await CliProcess.RunAsync(Limit, "cancel", "--server", cluster.Url, jobId);
        Assert.True(cancelled == 0, cancelOutput);
        Assert.Contains($"{jobId} had already finished", CliProcess.Flat(cancelOutput), StringComparison.Ordinal);
        Assert.DoesNotContain("cancel requested", cancelOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sweep_with_an_invalid_point_should_submit_nothing()
    {
        using var files = new TempDirectory();
        var sweep = files.Combine("sweep.yaml");
        await File.WriteAllTextAsync(sweep, "base: { model: mlp, data: sample, epochs: 1, limit: 600, workers: 1 }\ngrid:\n  epochs: [1, 0]\n  learning_rate: [0.01, -1]\n");
        var before = await JobCount();

        var (code, output) = await CliProcess.RunAsync(Limit, "sweep", "--server", cluster.Url, "--file", sweep);

        Assert.True(code == CliApp.BadInput, output);
        var message = CliProcess.Flat(output);
        Assert.Contains("3 of 4 points cannot run, so nothing was submitted", message, StringComparison.Ordinal);
        Assert.Contains("point 2 (epochs=1 learning_rate=-1): learning_rate: must be a positive number", message, StringComparison.Ordinal);
        Assert.Contains("point 3 (epochs=0 learning_rate=0.01): epochs: must be at least 1", message, StringComparison.Ordinal);
        Assert.Equal(before, await JobCount());
    }

    [Theory]
    [InlineData(new[] { "--dqn-env", "cartpole", "--epochs", "3" }, "--epochs")]
    [InlineData(new[] { "--steps", "1000" }, "--steps")]
    public async Task Submit_should_refuse_a_flag_the_job_api_would_drop(string[] flags, string named)
    {
        var (code, output) = await CliProcess.RunAsync(Limit, ["submit", "--server", cluster.Url, .. flags]);
        Assert.True(code == CliApp.BadInput, output);
        Assert.Contains(named, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_against_a_coordinator_that_is_not_there_should_say_it_is_unreachable_and_how_to_check()
    {
        var server = $"http://127.0.0.1:{LocalPorts.Free()}";
        var (code, output) = await CliProcess.RunAsync(Limit, "watch", "--server", server, "20260101-000000-mlp-abcdef");
        Assert.True(code == CliApp.Failed, output);
        var message = CliProcess.Flat(output);
        Assert.Contains($"the coordinator's job API at {server} is unreachable", message, StringComparison.Ordinal);
        Assert.Contains("Check that the coordinator is running", message, StringComparison.Ordinal);
        Assert.DoesNotContain("StatusCode", output, StringComparison.Ordinal);
        Assert.DoesNotContain("HttpIOException", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Tables_should_fit_100_columns_without_breaking_an_id_and_show_missing_values_as_a_dash()
    {
        JobInfo[] jobs =
        [
            new() { JobId = "20261202-074545-mlp-f8b1eb", Name = "learning_rate=0.01 batch_size=50", State = JobState.Queued, Model = "mlp", Epochs = 10 },
            new() { JobId = "20261202-074546-cnn-0a1b2c", State = JobState.Running, Model = "cnn", Epoch = 1, Epochs = 10 },
            new() { JobId = "20261202-074547-mlp-3d4e5f", State = JobState.Finished, Model = "mlp", Epoch = 10, Epochs = 10, TestAccuracy = 0.8912 },
            new() { JobId = "20261202-074548-mlp-6a7b8c", State = JobState.Failed, Model = "mlp", Error = "the job needs 3 workers but 1 registered within 120 s; start more worker nodes or ask for fewer workers" },
        ];
        var console = new TestConsole().Width(100);
        console.Write(JobTables.Jobs(jobs));
        console.Write(JobTables.SweepResults(jobs.Select(j => (j, j.Name))));
        var status = new ClusterStatusResponse();
        status.Members.Add(new Member { Address = "akka.tcp://clustertrainer@coordinator-0.clustertrainer.svc:4053", Status = "Up", Reachable = true });
        status.Members[0].Roles.AddRange(["coordinator"]);
        console.Write(JobTables.Members(status));

        var lines = console.Output.Split('\n');
        Assert.All(lines, line => Assert.True(line.TrimEnd().Length <= 100, $"{line.Length} columns: {line}"));
        foreach (var id in jobs.Select(j => j.JobId).Append(status.Members[0].Address))
        {
            Assert.Contains(lines, line => line.Contains(id, StringComparison.Ordinal));
        }

        string Row(string id) => lines.First(line => line.Contains(id, StringComparison.Ordinal));
        Assert.DoesNotContain("0.00 %", Row(jobs[0].JobId), StringComparison.Ordinal);
        Assert.Contains(" - ", Row(jobs[1].JobId), StringComparison.Ordinal);
        Assert.Contains("89.12 %", Row(jobs[2].JobId), StringComparison.Ordinal);
    }

    private async Task<int> JobCount()
    {
        using var channel = GrpcChannel.ForAddress(cluster.Url);
        return (await new Jobs.JobsClient(channel).ListJobsAsync(new ListJobsRequest())).Jobs.Count;
    }
}
