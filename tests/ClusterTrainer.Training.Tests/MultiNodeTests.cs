using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Models;
using Serilog;

namespace ClusterTrainer.Training.Tests;

/// <summary>Real ActorSystems on 127.0.0.1 and real processes: the cluster as users run it.</summary>
public class MultiNodeTests
{
    private static readonly ILogger Silent = new LoggerConfiguration().CreateLogger();

    [Fact]
    public async Task A_worker_of_another_protocol_version_should_be_refused_naming_both_versions()
    {
        var port = LocalPorts.Free();
        await using var coordinator = await ClusterNodeHost.StartAsync(new NodeOptions(["coordinator"], "127.0.0.1", port, null, []), Silent);
        var refused = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var worker = await ClusterNodeHost.StartAsync(
            new NodeOptions(["worker"], "127.0.0.1", 0, null, [$"akka.tcp://clustertrainer@127.0.0.1:{port}"]), Silent,
            onRefused: reason => refused.TrySetResult(reason), protocolVersion: 99);

        var reason = await refused.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("version 99", reason, StringComparison.Ordinal);
        Assert.Contains($"version {ClusterTrainer.Cluster.Serialization.ProtocolVersion.Current}", reason, StringComparison.Ordinal);

        var jobManager = await ActorRegistry.For(coordinator.System).GetAsync<JobManagerActor>();
        var workers = await jobManager.Ask<ClusterWorkers>(GetClusterWorkers.Instance, TimeSpan.FromSeconds(10));
        Assert.Empty(workers.Nodes);
    }

    [Fact]
    public async Task Two_in_test_worker_nodes_should_train_over_the_tcp_ring_like_the_in_process_cluster()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Epochs = 2, Workers = 2, Limit = 1200, Data = "sample", Seed = 4 };
        var port = LocalPorts.Free();
        var seed = $"akka.tcp://clustertrainer@127.0.0.1:{port}";
        await using var coordinator = await ClusterNodeHost.StartAsync(new NodeOptions(["coordinator"], "127.0.0.1", port, null, []), Silent);
        await using var worker1 = await ClusterNodeHost.StartAsync(new NodeOptions(["worker"], "127.0.0.1", 0, null, [seed]), Silent);
        await using var worker2 = await ClusterNodeHost.StartAsync(new NodeOptions(["worker"], "127.0.0.1", 0, null, [seed]), Silent);
        using var remote = new TempDirectory();
        using var local = new TempDirectory();

        var jobManager = await ActorRegistry.For(coordinator.System).GetAsync<JobManagerActor>();
        var summary = await ClusterJobClient.RunAsync(coordinator.System, jobManager, new SubmitTrainingJob("ring-job", settings, remote.Path))
            .WaitAsync(TimeSpan.FromMinutes(3));
        var reference = await ClusterRun.TrainAsync(settings, TestData.Small(1200, 1000), local.Path);

        Assert.Equal(2, summary.Workers);
        Assert.Equal(reference.Summary.Samples, summary.Samples);
        Assert.InRange(summary.TestAccuracy, reference.Summary.TestAccuracy - 0.005, reference.Summary.TestAccuracy + 0.005);
        var parameters = RunParameters.Load(settings, remote.Path);
        var difference = parameters.Zip(reference.Parameters, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(difference <= 1e-5, $"max |difference| {difference:E3} between the TCP-ring run and the in-process run");
    }

    [Fact]
    public async Task A_coordinator_process_and_two_worker_processes_should_match_the_in_process_run_and_stop_cleanly()
    {
        using var run = new TempDirectory();
        using var local = new TempDirectory();
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(4), "cluster", "--workers", "2", "--model", "mlp", "--data", "sample", "--epochs", "2", "--seed", "4", "--out", run.Path);
        Assert.True(code == 0, output);
        var summary = new RunDirectory(run.Path).ReadSummary();
        Assert.Equal(2, summary.Workers);

        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Epochs = 2, Workers = 2, Data = "sample", Seed = 4 };
        var reference = await ClusterRun.TrainAsync(settings, TestData.FashionSample, local.Path);
        Assert.True(reference.Summary.TestAccuracy >= 0.75, $"in-process test accuracy {reference.Summary.TestAccuracy:P2}");
        Assert.InRange(summary.TestAccuracy, reference.Summary.TestAccuracy - 0.005, reference.Summary.TestAccuracy + 0.005);
        var difference = RunParameters.Load(settings, run.Path).Zip(reference.Parameters, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(difference <= 1e-5, $"max |difference| {difference:E3} between the multi-process run and the in-process run");
        Assert.Empty(WorkerPids(run.Path));

        // The worker processes share this machine's cores as train's in-process workers do (each once took them all:
        // 2 x 2 libtorch threads on 2 cores ran at a third of train's speed).
        var threads = Directory.GetFiles(run.Path, "worker-*.log*.json")
            .SelectMany(File.ReadLines)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement)
            .Where(e => e.TryGetProperty("Threads", out _) && e.TryGetProperty("Parameters", out _))
            .Select(e => e.GetProperty("Threads").GetInt32())
            .ToArray();
        Assert.Equal([Math.Max(1, Environment.ProcessorCount / 2), Math.Max(1, Environment.ProcessorCount / 2)], threads);
    }

    [Fact]
    public async Task A_job_whose_every_worker_process_is_killed_should_fail_within_seconds_instead_of_hanging()
    {
        using var run = new TempDirectory();
        await using var cluster = CliProcess.Start("cluster", "--workers", "2", "--model", "cnn", "--data", "sample", "--epochs", "30", "--out", run.Path);
        await cluster.WaitForOutputAsync("progress", TimeSpan.FromMinutes(3));
        // One lost worker leaves a ring of one that goes on (see WorkerLossTests); with none left the job must end.
        foreach (var victim in WorkerPids(run.Path))
        {
            Process.GetProcessById(victim).Kill();
        }

        var killedAt = Stopwatch.StartNew();

        var code = await cluster.WaitForExitAsync(TimeSpan.FromSeconds(90));
        var text = cluster.Output;
        Assert.True(code != 0, text);
        Assert.Contains("training failed", text, StringComparison.Ordinal);
        Assert.Contains("worker", text, StringComparison.Ordinal);
        Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(60), $"the job took {killedAt.Elapsed.TotalSeconds:F0} s to fail");
        Assert.Empty(WorkerPids(run.Path));
    }

    /// <summary>Worker processes of one run, found by the log path only they have on their command line.</summary>
    internal static int[] WorkerPids(string runDirectory)
    {
        var found = new List<int>();
        foreach (var directory in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(" node ", StringComparison.Ordinal) && commandLine.Contains(runDirectory, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours.
            }
        }

        return found.ToArray();
    }
}
