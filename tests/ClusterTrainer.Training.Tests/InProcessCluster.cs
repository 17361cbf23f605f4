using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Hosting;
using Serilog;

namespace ClusterTrainer.Training.Tests;

/// <summary>A coordinator node and worker nodes as real ActorSystems on 127.0.0.1 in the test process.</summary>
internal sealed class InProcessCluster(ActorSystem system, IActorRef manager, string seed, List<ActorSystemHost> nodes) : IAsyncDisposable
{
    private static readonly ILogger Silent = new LoggerConfiguration().CreateLogger();

    public ActorSystem System { get; } = system;

    public IActorRef Manager { get; } = manager;

    /// <summary>The addresses of the worker nodes still up, in the order they started.</summary>
    public IReadOnlyList<string> WorkerNodes => [.. nodes.Skip(1).Select(n => ((ExtendedActorSystem)n.System).Provider.DefaultAddress.ToString())];

    /// <param name="coordinatorLog">Where the coordinator node logs (the job manager's and coordinators' events); silent by default.</param>
    public static async Task<InProcessCluster> StartAsync(JobManagerOptions options, int workers, ILogger? coordinatorLog = null)
    {
        var port = LocalPorts.Free();
        var seed = $"akka.tcp://clustertrainer@127.0.0.1:{port}";
        var coordinator = await ClusterNodeHost.StartAsync(new NodeOptions(["coordinator"], "127.0.0.1", port, null, []), coordinatorLog ?? Silent, jobs: options);
        var manager = await ActorRegistry.For(coordinator.System).GetAsync<JobManagerActor>();
        var cluster = new InProcessCluster(coordinator.System, manager, seed, [coordinator]);
        for (var i = 0; i < workers; i++)
        {
            await cluster.AddWorkerAsync();
        }

        await Eventually(manager, w => w.Nodes.Count == workers);
        return cluster;
    }

    /// <summary>Starts one more worker node; it registers with the job manager on its own.</summary>
    public async Task AddWorkerAsync() =>
        nodes.Add(await ClusterNodeHost.StartAsync(new NodeOptions(["worker"], "127.0.0.1", 0, null, [seed]), Silent));

    /// <summary>Asks the job manager until <paramref name="condition"/> holds; fails the test after 2 minutes.</summary>
    public static async Task<ClusterWorkers> Eventually(IActorRef manager, Func<ClusterWorkers, bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var workers = await manager.Ask<ClusterWorkers>(GetClusterWorkers.Instance, TimeSpan.FromSeconds(10));
            if (condition(workers))
            {
                return workers;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), $"the job manager never reached the expected state; last: {string.Join(", ", workers.RunningJobs)} running, {workers.Queue.Count} queued");
            await Task.Delay(100);
        }
    }

    /// <summary>Stops the worker node with this address: it leaves the cluster, as a node that shuts down does.</summary>
    public async Task StopWorkerAsync(string address)
    {
        var node = nodes.Single(n => ((ExtendedActorSystem)n.System).Provider.DefaultAddress.ToString() == address);
        nodes.Remove(node);
        await node.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            await nodes[i].DisposeAsync();
        }
    }
}
