using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using ClusterTrainer.Cli.Processes;
using Xunit.Abstractions;

namespace ClusterTrainer.Training.Tests;

/// <summary>`clustertrainer node` processes as a container runs them: their CPUs, their probes, their exit codes.</summary>
public class NodeProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_worker_node_reporting_2_cpus_should_train_with_2_threads_whatever_the_coordinator_node_reports()
    {
        using var runs = new TempDirectory();
        var (port, grpc, management) = (LocalPorts.Free(), LocalPorts.Free(), LocalPorts.Free());
        using var coordinator = StartNode(8, "--role", "coordinator,data", "--port", Text(port), "--grpc-port", Text(grpc), "--runs", runs.Path);
        var coordinatorOutput = MultiNodeTests.DrainOutput(coordinator);
        using var worker = StartNode(2, "--role", "worker", "--seed-nodes", $"akka.tcp://clustertrainer@127.0.0.1:{port}", "--management-port", Text(management));
        var workerOutput = MultiNodeTests.DrainOutput(worker);
        try
        {
            await WaitReadyAsync(management, worker, workerOutput);
            using var submit = Process.Start(MultiNodeTests.CliStart("submit", "--server", $"http://127.0.0.1:{grpc}", "--model", "mlp", "--data", "sample",
                "--limit", "1000", "--epochs", "1", "--workers", "1", "--watch"))!;
            var submitOutput = MultiNodeTests.DrainOutput(submit);
            using (var limit = new CancellationTokenSource(Deadline))
            {
                await submit.WaitForExitAsync(limit.Token);
            }

            Assert.True(submit.ExitCode == 0, $"submit exited with {submit.ExitCode}:\n{Read(submitOutput)}\ncoordinator:\n{Read(coordinatorOutput)}");
            var summaryFile = Assert.Single(Directory.GetFiles(runs.Path, "summary.json", SearchOption.AllDirectories));
            using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile));
            Assert.Equal(2, summary.RootElement.GetProperty("threads_per_worker").GetInt32());
            Assert.Contains("2 threads from 2 cores shared by 1 workers", Read(workerOutput), StringComparison.Ordinal);
        }
        finally
        {
            Stop(worker, coordinator);
        }
    }

    [Fact]
    public async Task A_worker_node_whose_coordinator_dies_should_exit_with_code_1_and_say_why()
    {
        using var runs = new TempDirectory();
        var (port, grpc, management) = (LocalPorts.Free(), LocalPorts.Free(), LocalPorts.Free());
        using var coordinator = StartNode(null, "--role", "coordinator,data", "--port", Text(port), "--grpc-port", Text(grpc), "--runs", runs.Path);
        MultiNodeTests.DrainOutput(coordinator);
        using var worker = StartNode(null, "--role", "worker", "--seed-nodes", $"akka.tcp://clustertrainer@127.0.0.1:{port}", "--management-port", Text(management));
        var workerOutput = MultiNodeTests.DrainOutput(worker);
        try
        {
            await WaitReadyAsync(management, worker, workerOutput);
            coordinator.Kill();
            var killedAt = Stopwatch.StartNew();
            using (var limit = new CancellationTokenSource(Deadline))
            {
                await worker.WaitForExitAsync(limit.Token);
            }

            output.WriteLine($"the worker exited {killedAt.Elapsed.TotalSeconds:F1} s after the coordinator was killed:\n{Read(workerOutput)}");
            Assert.Equal(1, worker.ExitCode);
            // Two members: whichever side the Split Brain Resolver keeps, the worker ends up without a coordinator.
            // (The console wraps long lines; compare with whitespace folded.)
            Assert.Matches("stopped: (the cluster downed this node|the cluster's coordinator was removed)", System.Text.RegularExpressions.Regex.Replace(Read(workerOutput), @"\s+", " "));
        }
        finally
        {
            Stop(worker, coordinator);
        }
    }

    private static Process StartNode(int? processors, params string[] arguments)
    {
        var start = MultiNodeTests.CliStart(["node", .. arguments]);
        if (processors is { } count)
        {
            // What a container's CPU limit looks like to .NET: Environment.ProcessorCount.
            start.Environment["DOTNET_PROCESSOR_COUNT"] = Text(count);
        }

        return Process.Start(start)!;
    }

    private static async Task WaitReadyAsync(int management, Process worker, System.Text.StringBuilder workerOutput)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var ready = await Poll.UntilAsync(
            async () =>
            {
                Assert.False(worker.HasExited, $"the worker exited with {(worker.HasExited ? worker.ExitCode : 0)}:\n{Read(workerOutput)}");
                try
                {
                    return (await http.GetAsync($"http://127.0.0.1:{management}/ready")).StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            Deadline);
        Assert.True(ready, $"the worker was not ready within {Deadline.TotalSeconds} s:\n{Read(workerOutput)}");
    }

    private static void Stop(params Process[] processes)
    {
        foreach (var process in processes.Where(p => !p.HasExited))
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Read(System.Text.StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
