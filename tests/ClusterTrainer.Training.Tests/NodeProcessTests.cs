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
        // What a container's CPU limit looks like to .NET: Environment.ProcessorCount.
        await using var coordinator = CliProcess.Start(Processors(8), "node", "--role", "coordinator", "--port", Text(port), "--grpc-port", Text(grpc), "--management-port", "0", "--runs", runs.Path);
        await using var worker = CliProcess.Start(Processors(2), "node", "--role", "worker", "--seed-nodes", $"akka.tcp://clustertrainer@127.0.0.1:{port}", "--management-port", Text(management));
        await WaitReadyAsync(management, worker);

        var (code, text) = await CliProcess.RunAsync(Deadline, "submit", "--server", $"http://127.0.0.1:{grpc}", "--model", "mlp", "--data", "sample",
            "--limit", "1000", "--epochs", "1", "--workers", "1", "--watch");

        Assert.True(code == 0, $"submit exited with {code}:\n{text}\ncoordinator:\n{coordinator.Output}");
        var summaryFile = Assert.Single(Directory.GetFiles(runs.Path, "summary.json", SearchOption.AllDirectories));
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(summaryFile));
        Assert.Equal(2, summary.RootElement.GetProperty("threads_per_worker").GetInt32());
        Assert.Contains("2 threads from 2 cores shared by 1 workers", CliProcess.Flat(worker.Output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_node_whose_coordinator_dies_should_exit_with_code_1_and_say_why()
    {
        using var runs = new TempDirectory();
        var (port, grpc, management) = (LocalPorts.Free(), LocalPorts.Free(), LocalPorts.Free());
        await using var coordinator = CliProcess.Start("node", "--role", "coordinator", "--port", Text(port), "--grpc-port", Text(grpc), "--management-port", "0", "--runs", runs.Path);
        await using var worker = CliProcess.Start("node", "--role", "worker", "--seed-nodes", $"akka.tcp://clustertrainer@127.0.0.1:{port}", "--management-port", Text(management));
        await WaitReadyAsync(management, worker);

        coordinator.Process.Kill();
        var killedAt = Stopwatch.StartNew();
        var code = await worker.WaitForExitAsync(Deadline);

        output.WriteLine($"the worker exited {killedAt.Elapsed.TotalSeconds:F1} s after the coordinator was killed:\n{worker.Output}");
        Assert.Equal(1, code);
        // Two members: whichever side the Split Brain Resolver keeps, the worker ends up without a coordinator.
        Assert.Matches("stopped: (the cluster downed this node|the cluster's coordinator was removed)", CliProcess.Flat(worker.Output));
    }

    private static Dictionary<string, string> Processors(int count) => new() { ["DOTNET_PROCESSOR_COUNT"] = Text(count) };

    private static async Task WaitReadyAsync(int management, CliProcess worker)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var ready = await Poll.UntilAsync(
            async () =>
            {
                Assert.False(worker.Process.HasExited, $"the worker exited:\n{worker.Output}");
                try
                {
                    return (await http.GetAsync(new Uri($"http://127.0.0.1:{management}/ready"))).StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            Deadline);
        Assert.True(ready, $"the worker was not ready within {Deadline.TotalSeconds} s:\n{worker.Output}");
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
