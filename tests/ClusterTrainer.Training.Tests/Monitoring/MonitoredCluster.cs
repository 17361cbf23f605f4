using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli.Client;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Cluster.Api;
using ClusterTrainer.Cluster.Hosting;
using Grpc.Core;
using Grpc.Net.Client;
using Serilog;

namespace ClusterTrainer.Training.Tests.Monitoring;

/// <summary>
/// A coordinator node and two worker nodes on 127.0.0.1, each with its management port (/metrics; the dashboard on
/// the coordinator). The job API listens beyond loopback (0.0.0.0), so it and the dashboard demand <see cref="Token"/>.
/// Started once for the monitoring tests, which run one at a time and each leave no job running.
/// </summary>
public sealed class MonitoredCluster : IAsyncLifetime
{
    public const string Token = "monitoring-test-token";
    private readonly List<ActorSystemHost> _nodes = [];
    private GrpcChannel? _channel;

    public TempDirectory Runs { get; } = new();

    public string DashboardUrl { get; private set; } = string.Empty;

    public IReadOnlyList<string> WorkerMetricsUrls { get; private set; } = [];

    public Jobs.JobsClient Client { get; private set; } = null!;

    public static TrainingSpec Cnn(int epochs, int limit, int workers = 2) => new() { Model = "cnn", Data = "sample", Epochs = epochs, Limit = limit, Workers = workers, Seed = 3, BatchSize = 64 };

    public async Task InitializeAsync()
    {
        var log = new LoggerConfiguration().CreateLogger();
        var port = LocalPorts.Free();
        var grpcPort = LocalPorts.Free();
        var managementPort = LocalPorts.Free();
        _nodes.Add(await ClusterNodeHost.StartAsync(
            new NodeOptions(["coordinator"], "127.0.0.1", port, null, []) { ManagementPort = managementPort }, log,
            api: new ApiOptions("0.0.0.0", grpcPort, Runs.Path, Token)));
        DashboardUrl = $"http://127.0.0.1:{managementPort}";
        var workerUrls = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var workerPort = LocalPorts.Free();
            _nodes.Add(await ClusterNodeHost.StartAsync(
                new NodeOptions(["worker"], "127.0.0.1", 0, null, [$"akka.tcp://clustertrainer@127.0.0.1:{port}"]) { ManagementPort = workerPort }, log));
            workerUrls.Add($"http://127.0.0.1:{workerPort}/metrics");
        }

        WorkerMetricsUrls = workerUrls;
        (_channel, Client) = ServerOptions.Connect($"http://127.0.0.1:{grpcPort}", Token);
        await Eventually.TrueAsync(async () =>
        {
            var status = await Client.ClusterStatusAsync(new ClusterStatusRequest(), deadline: ServerOptions.Deadline);
            return status.BusyWorkers + status.IdleWorkers == 2;
        }, TimeSpan.FromSeconds(60), "two worker nodes did not register with the coordinator");
    }

    /// <summary>Submits a job and follows it until <paramref name="until"/> holds for an event (or it ends).</summary>
    public async Task<(JobInfo Job, JobEvent Last)> SubmitAndFollowAsync(SubmitJobRequest request, Func<JobEvent, bool> until)
    {
        var job = await Client.SubmitJobAsync(request, deadline: ServerOptions.Deadline);
        using var watch = Client.WatchJob(new WatchJobRequest { JobId = job.JobId }, deadline: DateTime.UtcNow.AddMinutes(4));
        await foreach (var @event in watch.ResponseStream.ReadAllAsync())
        {
            if (until(@event) || @event.EventCase == JobEvent.EventOneofCase.Ended)
            {
                return (job, @event);
            }
        }

        throw new InvalidOperationException($"the watch of {job.JobId} ended without its last event");
    }

    /// <summary>Follows a job to its end.</summary>
    public async Task<JobInfo> EndOfAsync(string jobId)
    {
        using var watch = Client.WatchJob(new WatchJobRequest { JobId = jobId }, deadline: DateTime.UtcNow.AddMinutes(4));
        await foreach (var @event in watch.ResponseStream.ReadAllAsync())
        {
            if (@event.EventCase == JobEvent.EventOneofCase.Ended)
            {
                return @event.Ended;
            }
        }

        return await Client.GetJobAsync(new GetJobRequest { JobId = jobId }, deadline: ServerOptions.Deadline);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        for (var i = _nodes.Count - 1; i >= 0; i--)
        {
            await _nodes[i].DisposeAsync();
        }

        Runs.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class MonitoredClusterDefinition : ICollectionFixture<MonitoredCluster>
{
    public const string Name = "monitored cluster";
}
