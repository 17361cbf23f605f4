using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.TestKit.Xunit2;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Cluster.Rl;
using ClusterTrainer.Rl.Dqn;
using Serilog;
using Xunit.Abstractions;

namespace ClusterTrainer.Training.Tests.Dqn;

/// <summary>DQN on a real cluster on 127.0.0.1: a coordinator node, collectors on worker nodes.</summary>
public sealed class DqnMultiNodeTests : TestKit
{
    private static readonly ILogger Silent = new LoggerConfiguration().CreateLogger();
    private readonly ITestOutputHelper _output;

    public DqnMultiNodeTests(ITestOutputHelper output)
        : base(output: output)
    {
        _output = output;
    }

    [Fact]
    public async Task Collectors_should_run_on_the_worker_nodes_and_the_job_should_reach_a_greedy_mean_of_150()
    {
        var port = LocalPorts.Free();
        var seed = $"akka.tcp://clustertrainer@127.0.0.1:{port}";
        await using var coordinator = await ClusterNodeHost.StartAsync(new NodeOptions(["coordinator"], "127.0.0.1", port, null, []), Silent);
        await using var worker1 = await ClusterNodeHost.StartAsync(new NodeOptions(["worker"], "127.0.0.1", 0, null, [seed]), Silent);
        await using var worker2 = await ClusterNodeHost.StartAsync(new NodeOptions(["worker"], "127.0.0.1", 0, null, [seed]), Silent);
        var workers = new[] { worker1, worker2 }.Select(w => Akka.Cluster.Cluster.Get(w.System).SelfAddress.ToString()).Order(StringComparer.Ordinal).ToArray();
        AwaitWorkersUp(coordinator.System, 2);

        // The settings and threshold of the in-process test (DqnLearningTests), with the collectors on the two worker
        // nodes and twice the steps: a run's outcome depends on when weights reach the collectors, and 15,000 steps
        // ended at 126 once in three runs here, 30,000 steps (about 25 s) leave the kept weights more evaluations.
        var settings = DqnSettings.DefaultsFor("cartpole") with { Steps = 30_000, EvalInterval = 2500, EvalEpisodes = 20, FinalEvalEpisodes = 50, Seed = 1 };
        var clock = Stopwatch.StartNew();
        var result = await LocalDqnCluster.RunAsync(coordinator.System, settings, Silent, name: "dqn-on-workers", placement: DqnPlacement.WorkerNodes)
            .WaitAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(workers, result.CollectorNodes.Order(StringComparer.Ordinal));
        _output.WriteLine($"greedy mean {result.FinalEvalMean:F1}, {result.EnvSteps} env steps in {result.WallSeconds:F1} s ({result.EnvSteps / result.WallSeconds:F0}/s), test {clock.Elapsed.TotalSeconds:F1} s, collectors on {string.Join(", ", result.CollectorNodes)}");
        Assert.Equal(30_000, result.EnvSteps);
        Assert.Equal((long)((30_000 - settings.LearningStarts) * settings.ReplayRatio), result.Updates);
        Assert.True(result.FinalEvalMean >= 150, $"greedy mean return {result.FinalEvalMean:F1} after {result.EnvSteps} steps in {clock.Elapsed.TotalSeconds:F1} s");

        // Each worker node's collector host says it ran one collector, and that the job's collectors are gone with the job.
        foreach (var worker in new[] { worker1, worker2 })
        {
            var host = worker.System.ActorSelection($"/user/{CollectorHostActor.Name}");
            AwaitAssert(
                () =>
                {
                    var status = host.Ask<CollectorHostStatus>(GetCollectorHostStatus.Instance, TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
                    Assert.Equal(1, status.Started);
                    Assert.Equal(0, status.Running);
                    Assert.Empty(status.Jobs);
                },
                TimeSpan.FromSeconds(15),
                TimeSpan.FromMilliseconds(100));
        }
    }

    [Fact]
    public async Task A_killed_worker_node_holding_collectors_should_have_them_moved_and_the_job_should_finish()
    {
        var port = LocalPorts.Free();
        var seed = $"akka.tcp://clustertrainer@127.0.0.1:{port}";
        await using var coordinator = await ClusterNodeHost.StartAsync(new NodeOptions(["coordinator"], "127.0.0.1", port, null, []), Silent);
        // Three nodes, so the two that stay are a majority when the Split Brain Resolver downs the dead one.
        await using var survivor = await ClusterNodeHost.StartAsync(new NodeOptions(["worker"], "127.0.0.1", 0, null, [seed]), Silent);
        var victimPort = LocalPorts.Free();
        await using var victim = CliProcess.Start("node", "--role", "worker", "--port", victimPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed-nodes", seed);
        AwaitWorkersUp(coordinator.System, 2, TimeSpan.FromSeconds(90));
        var settings = DqnSettings.DefaultsFor("cartpole") with { Steps = 20_000, EvalInterval = 2500, EvalEpisodes = 10, FinalEvalEpisodes = 20, Seed = 1 };
        var collecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = LocalDqnCluster.RunAsync(coordinator.System, settings, Silent, e => collecting.TrySetResult(), "dqn-killed-worker", DqnPlacement.WorkerNodes);
        await collecting.Task.WaitAsync(TimeSpan.FromSeconds(60));
        AwaitCondition(() => victim.Output.Contains("collector", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(30));

        victim.Process.Kill();
        var result = await run.WaitAsync(TimeSpan.FromMinutes(4));
        _output.WriteLine($"finished after the kill: greedy mean {result.FinalEvalMean:F1}, {result.EnvSteps} env steps, collectors on {string.Join(", ", result.CollectorNodes)}");
        // Both collectors end on the surviving worker node: the lost node's moved there.
        var survivorAddress = ((Akka.Actor.ExtendedActorSystem)survivor.System).Provider.DefaultAddress.ToString();
        Assert.All(result.CollectorNodes, node => Assert.Equal(survivorAddress, node));
        Assert.Equal(settings.FinalEvalEpisodes, result.FinalEvalReturns.Length);
        Assert.True(result.FinalEvalMean >= 100, $"greedy mean return {result.FinalEvalMean:F1} after {result.EnvSteps} env steps");
    }

    [Fact]
    public async Task A_killed_last_worker_node_should_have_its_collectors_moved_to_the_coordinator_node_and_the_job_should_finish()
    {
        var port = LocalPorts.Free();
        var seed = $"akka.tcp://clustertrainer@127.0.0.1:{port}";
        // Two nodes: when one becomes unreachable the Split Brain Resolver's keep-majority breaks the tie for the side
        // with the lowest address, so the coordinator's port is kept below the victim's.
        var victimPort = LocalPorts.Free();
        while (victimPort <= port)
        {
            victimPort = LocalPorts.Free();
        }

        await using var coordinator = await ClusterNodeHost.StartAsync(new NodeOptions(["coordinator"], "127.0.0.1", port, null, []), Silent);
        await using var victim = CliProcess.Start("node", "--role", "worker", "--port", victimPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed-nodes", seed);
        AwaitWorkersUp(coordinator.System, 1, TimeSpan.FromSeconds(90));
        var settings = DqnSettings.DefaultsFor("cartpole") with { Collectors = 2, Steps = 20_000, EvalInterval = 2500, EvalEpisodes = 10, FinalEvalEpisodes = 20, Seed = 1 };
        var collecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = LocalDqnCluster.RunAsync(coordinator.System, settings, Silent, e => collecting.TrySetResult(), "dqn-killed-last-worker", DqnPlacement.WorkerNodes);
        await collecting.Task.WaitAsync(TimeSpan.FromSeconds(60));
        AwaitCondition(() => victim.Output.Contains("collector", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(30));

        victim.Process.Kill();
        var result = await run.WaitAsync(TimeSpan.FromMinutes(4));
        _output.WriteLine($"finished after the kill: greedy mean {result.FinalEvalMean:F1}, {result.EnvSteps} env steps, collectors on {string.Join(", ", result.CollectorNodes)}");
        var coordinatorAddress = ((Akka.Actor.ExtendedActorSystem)coordinator.System).Provider.DefaultAddress.ToString();
        Assert.Equal(2, result.CollectorNodes.Count);
        Assert.All(result.CollectorNodes, node => Assert.Equal(coordinatorAddress, node));
        // The moved collectors collect the rest of their quotas: the job collects the steps asked for, not more (the lost
        // node's last chunk may have reached the replay unreported, so the count can end a chunk short).
        Assert.InRange(result.EnvSteps, 19_000, 20_000);
        Assert.Equal(settings.FinalEvalEpisodes, result.FinalEvalReturns.Length);
        Assert.True(result.FinalEvalMean >= 100, $"greedy mean return {result.FinalEvalMean:F1} after {result.EnvSteps} env steps");
    }

    [Fact]
    public async Task A_killed_coordinator_process_should_not_leave_collectors_running_on_the_worker_nodes()
    {
        var port = LocalPorts.Free();
        var grpcPort = LocalPorts.Free();
        using var runs = new TempDirectory();
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        await using var coordinator = CliProcess.Start("node", "--role", "coordinator", "--port", port.ToString(invariant), "--grpc-port", grpcPort.ToString(invariant), "--management-port", "0", "--runs", runs.Path);
        var seed = $"akka.tcp://clustertrainer@127.0.0.1:{port}";
        // Two workers, so they are the majority that downs the dead coordinator.
        await using var worker1 = await ClusterNodeHost.StartAsync(new NodeOptions(["worker"], "127.0.0.1", 0, null, [seed]), Silent);
        await using var worker2 = await ClusterNodeHost.StartAsync(new NodeOptions(["worker"], "127.0.0.1", 0, null, [seed]), Silent);
        AwaitCondition(() => Akka.Cluster.Cluster.Get(worker1.System).State.Members.Count(m => m.Status == MemberStatus.Up) == 3, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(100));

        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var client = new ClusterTrainer.Api.V1.Jobs.JobsClient(channel);
        var job = await client.SubmitJobAsync(new ClusterTrainer.Api.V1.SubmitJobRequest { Dqn = new ClusterTrainer.Api.V1.DqnSpec { Env = "cartpole", Collectors = 2, Steps = 1_000_000 } });
        var nodes = new[] { worker1.System, worker2.System };
        int Running(ActorSystem node)
        {
            // A worker node whose coordinator is gone shuts itself down soon after (to be restarted and join the
            // next one): a node that has shut down runs no collectors.
            try
            {
                return node.WhenTerminated.IsCompleted ? 0
                    : node.ActorSelection($"/user/{CollectorHostActor.Name}").Ask<CollectorHostStatus>(GetCollectorHostStatus.Instance, TimeSpan.FromSeconds(5)).GetAwaiter().GetResult().Running;
            }
            catch (AskTimeoutException) when (CoordinatedShutdown.Get(node).ShutdownReason is not null)
            {
                return 0;
            }
        }

        try
        {
            AwaitCondition(() => nodes.All(n => Running(n) == 1), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // Say why: the job's state and error, and what the coordinator process logged.
            var info = await client.GetJobAsync(new ClusterTrainer.Api.V1.GetJobRequest { JobId = job.JobId });
            throw new Xunit.Sdk.XunitException($"the collectors did not start on both workers within 60 s; job {info.State}: {info.Error}\n{coordinator.Output}");
        }

        coordinator.Process.Kill();
        var killedAt = Stopwatch.StartNew();
        AwaitCondition(() => nodes.All(n => Running(n) == 0), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));
        _output.WriteLine($"collectors stopped {killedAt.Elapsed.TotalSeconds:F1} s after the coordinator was killed");
    }

    [Fact]
    public async Task Without_a_worker_node_a_dqn_job_on_the_cluster_should_fail_saying_so()
    {
        await using var coordinator = await ClusterNodeHost.StartAsync(new NodeOptions(["coordinator"], "127.0.0.1", LocalPorts.Free(), null, []), Silent);
        AwaitCondition(() => Akka.Cluster.Cluster.Get(coordinator.System).SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(30));
        var settings = DqnSettings.DefaultsFor("cartpole") with { Steps = 5000 };
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<TrainingFailedException>(() =>
            LocalDqnCluster.RunAsync(coordinator.System, settings, Silent, placement: DqnPlacement.WorkerNodes).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("no worker node came up", error.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, DqnCoordinatorActor.WorkerWaitTimeout - TimeSpan.FromSeconds(1), DqnCoordinatorActor.WorkerWaitTimeout + TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_worker_node_that_joins_just_after_the_job_was_submitted_should_get_the_collectors()
    {
        var port = LocalPorts.Free();
        await using var coordinator = await ClusterNodeHost.StartAsync(new NodeOptions(["coordinator"], "127.0.0.1", port, null, []), Silent);
        AwaitCondition(() => Akka.Cluster.Cluster.Get(coordinator.System).SelfMember.Status == MemberStatus.Up, TimeSpan.FromSeconds(30));
        var settings = DqnSettings.DefaultsFor("cartpole") with { Collectors = 1, Steps = 3000, EvalInterval = 1500, EvalEpisodes = 5, FinalEvalEpisodes = 10 };
        var run = LocalDqnCluster.RunAsync(coordinator.System, settings, Silent, placement: DqnPlacement.WorkerNodes);

        await using var worker = await ClusterNodeHost.StartAsync(new NodeOptions(["worker"], "127.0.0.1", 0, null, [$"akka.tcp://clustertrainer@127.0.0.1:{port}"]), Silent);
        var result = await run.WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal([Akka.Cluster.Cluster.Get(worker.System).SelfAddress.ToString()], result.CollectorNodes);
        Assert.Equal(3000, result.EnvSteps);
    }

    private void AwaitWorkersUp(ActorSystem system, int count, TimeSpan? within = null)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        AwaitCondition(
            () => cluster.State.Members.Count(m => m.Status == MemberStatus.Up && m.HasRole(NodeOptions.WorkerRole)) == count,
            within ?? TimeSpan.FromSeconds(60),
            TimeSpan.FromMilliseconds(100));
    }
}
