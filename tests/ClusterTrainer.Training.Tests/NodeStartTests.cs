using Akka.Cluster.Tools.Singleton;
using Akka.TestKit.Xunit2;
using ClusterTrainer.Cli;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Cluster.Nodes;
using ClusterTrainer.Core;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace ClusterTrainer.Training.Tests;

/// <summary>A node that cannot listen where it is told to says so in one line (issue 15, items 3 and 8).</summary>
public sealed class NodeStartTests : TestKit
{
    [Fact]
    public async Task A_second_node_on_a_taken_port_should_exit_2_and_a_healthy_start_should_not_warn_about_the_singleton()
    {
        var port = LocalPorts.Free();
        var grpcPort = LocalPorts.Free();
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        using var runs = new TempDirectory();
        await using var first = CliProcess.Start("node", "--role", "coordinator", "--management-port", "0", "--port", port.ToString(invariant), "--grpc-port", grpcPort.ToString(invariant), "--runs", runs.Path);
        await first.WaitForOutputAsync("roles coordinator", TimeSpan.FromMinutes(1));
        await using var worker = CliProcess.Start("node", "--role", "worker", "--seed-nodes", $"akka.tcp://clustertrainer@127.0.0.1:{port}");
        await worker.WaitForOutputAsync("Worker registered with the coordinator", TimeSpan.FromMinutes(1));

        var (akkaCode, akkaOutput) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1),
            "node", "--role", "coordinator", "--management-port", "0", "--port", port.ToString(invariant), "--grpc-port", LocalPorts.Free().ToString(invariant), "--runs", runs.Path);
        Assert.True(akkaCode == CliApp.BadInput, akkaOutput);
        Assert.Contains($"--port: port {port} is in use", akkaOutput, StringComparison.Ordinal);

        var (grpcCode, grpcOutput) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1),
            "node", "--role", "coordinator", "--management-port", "0", "--port", LocalPorts.Free().ToString(invariant), "--grpc-port", grpcPort.ToString(invariant), "--runs", runs.Path);
        Assert.True(grpcCode == CliApp.BadInput, grpcOutput);
        Assert.Contains($"--grpc-port: port {grpcPort} is in use", grpcOutput, StringComparison.Ordinal);

        // Both nodes found the job manager: neither may have printed Akka's "failed to find" warning on the way.
        Assert.DoesNotContain("ClusterSingletonProxy failed to find", first.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ClusterSingletonProxy failed to find", worker.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("999.1.1.1", "is not an IPv4 address")]
    [InlineData("192.0.2.1", "is not an address of this machine")]
    public async Task A_host_that_cannot_be_listened_on_should_get_one_line_and_exit_2(string host, string expected)
    {
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "node", "--role", "worker", "--host", host, "--seed-nodes", "akka.tcp://clustertrainer@127.0.0.1:4053");
        Assert.True(code == CliApp.BadInput, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith($"clustertrainer: bad setting: --host: '{host}'", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, CliProcess.Flat(output), StringComparison.Ordinal);
        Assert.True(lines.Length <= 3, $"a one-sentence message, not a stack trace:\n{output}");
    }

    [Fact]
    public void The_port_check_should_refuse_a_port_another_socket_listens_on()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var error = Assert.Throws<SettingsException>(() => ListenCheck.Require("127.0.0.1", port, "--host", "--port"));
        Assert.Equal("--port", error.Setting);
        listener.Stop();
        ListenCheck.Require("127.0.0.1", port, "--host", "--port");
    }

    [Fact]
    public void The_job_manager_search_should_warn_only_when_it_lasts()
    {
        var patience = TimeSpan.FromMilliseconds(300);
        var found = new CollectingSink();
        var missing = new CollectingSink();
        Sys.ActorOf(JobManagerSearchActor.Props(new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(found).CreateLogger(), "manager-a", patience));
        Sys.ActorOf(JobManagerSearchActor.Props(new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(missing).CreateLogger(), "manager-b", patience));
        AwaitAssert(() =>
        {
            Sys.EventStream.Publish(ClusterSingletonProxy.IdentifySingletonResult.Success("manager-a", "coordinator"));
            Assert.Contains(found.Events, e => e.Level == LogEventLevel.Debug);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));

        // The search that never succeeds is the clock: once it has warned twice, the other had every chance to.
        AwaitAssert(() => Assert.True(missing.Events.Count(e => e.Level == LogEventLevel.Warning) >= 2), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        Assert.Contains("No job manager found", missing.Events[0].RenderMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.DoesNotContain(found.Events, e => e.Level == LogEventLevel.Warning);
    }

    private sealed class CollectingSink : ILogEventSink
    {
        private readonly List<LogEvent> _events = [];

        public IReadOnlyList<LogEvent> Events
        {
            get
            {
                lock (_events)
                {
                    return [.. _events];
                }
            }
        }

        public void Emit(LogEvent logEvent)
        {
            lock (_events)
            {
                _events.Add(logEvent);
            }
        }
    }
}
