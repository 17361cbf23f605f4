using System.Net;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Cluster.Api;
using ClusterTrainer.Cluster.Hosting;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Serilog;

namespace ClusterTrainer.Training.Tests;

/// <summary>Readiness follows cluster membership: a node that has not joined (or is on its own) is not ready.</summary>
public class NodeProbeTests
{
    private static readonly ILogger Silent = new LoggerConfiguration().CreateLogger();
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_worker_should_be_alive_at_once_and_ready_only_once_it_is_a_registered_member()
    {
        var port = LocalPorts.Free();
        var management = LocalPorts.Free();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{management}"), Timeout = TimeSpan.FromSeconds(10) };
        await using var worker = await ClusterNodeHost.StartAsync(
            new NodeOptions(["worker"], "127.0.0.1", 0, null, [$"akka.tcp://clustertrainer@127.0.0.1:{port}"]) { ManagementPort = management }, Silent);

        // No coordinator yet: the worker is running but in no cluster.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(NodeHealthEndpoints.AlivePath)).StatusCode);
        var notReady = await http.GetAsync(NodeHealthEndpoints.ReadyPath);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("not registered with a coordinator", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await using var coordinator = await ClusterNodeHost.StartAsync(new NodeOptions(["coordinator"], "127.0.0.1", port, null, []), Silent);
        var ready = await Poll.UntilAsync(async () => (await http.GetAsync(NodeHealthEndpoints.ReadyPath)).StatusCode == HttpStatusCode.OK, Deadline);
        Assert.True(ready, $"the worker did not report ready within {Deadline.TotalSeconds} s of the coordinator's start");
        Assert.Contains("clustertrainer.worker-registered: Healthy (registered with ", await http.GetStringAsync(NodeHealthEndpoints.ReadyPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_coordinator_should_report_not_serving_until_it_is_up_in_the_cluster_with_its_job_manager()
    {
        using var runs = new TempDirectory();
        var grpc = LocalPorts.Free();
        var own = LocalPorts.Free();
        // Its first seed is another node that does not exist, so it waits to join and never founds a cluster.
        await using var waiting = await ClusterNodeHost.StartAsync(
            new NodeOptions(["coordinator"], "127.0.0.1", own, null, [$"akka.tcp://clustertrainer@127.0.0.1:{LocalPorts.Free()}"]), Silent,
            api: new ApiOptions("127.0.0.1", grpc, runs.Path, null));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpc}");
        var health = new Health.HealthClient(channel);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = NodeHealthChecks.LivenessTag })).Status);

        // Joining itself (what a coordinator without seeds does) makes it Up, the singleton starts, and it serves.
        var cluster = Akka.Cluster.Cluster.Get(waiting.System);
        cluster.Join(cluster.SelfAddress);
        var serving = await Poll.UntilAsync(
            async () => (await health.CheckAsync(new HealthCheckRequest())).Status == HealthCheckResponse.Types.ServingStatus.Serving, Deadline);
        Assert.True(serving, $"the coordinator did not report serving within {Deadline.TotalSeconds} s of joining");
    }
}
