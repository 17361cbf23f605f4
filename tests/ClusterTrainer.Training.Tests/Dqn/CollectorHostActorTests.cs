using Akka.Actor;
using Akka.TestKit.Xunit2;
using ClusterTrainer.Cluster.Rl;
using ClusterTrainer.Models.Dqn;
using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Training.Tests.Dqn;

public sealed class CollectorHostActorTests : TestKit
{
    private static readonly DqnSettings Settings = new()
    {
        Collectors = 3,
        EnvsPerCollector = 2,
        ChunkSteps = 8,
        Steps = 100_000,
        Hidden = [16],
        LearningStarts = 200,
        MaxLag = 400,
        BatchSize = 8,
    };

    private static float[] Weights(float scale)
    {
        using var network = new QNetwork(4, Settings.Hidden, 2, seed: 3);
        return network.ExportParameters().Select(w => w * scale).ToArray();
    }

    [Fact]
    public void A_host_should_start_collectors_on_the_initial_weights_forward_new_ones_and_stop_them_with_their_coordinator()
    {
        var host = Sys.ActorOf(CollectorHostActor.Props("test-node", Serilog.Core.Logger.None));
        var coordinator = CreateTestProbe();
        var replay = CreateTestProbe();
        host.Tell(new StartCollectors("job", Settings, [0, 2], replay.Ref, coordinator.Ref), coordinator.Ref);
        // Parts small enough to need several, sent last first: the host starts the collectors only once it has all.
        foreach (var part in WeightsSplitter.Split("job", new PolicyWeights(0, 0, Weights(1)), maxFloatsPerPart: 40).Reverse())
        {
            host.Tell(part, coordinator.Ref);
        }

        var started = (CollectorsStarted)coordinator.FishForMessage(m => m is CollectorsStarted, TimeSpan.FromSeconds(20));
        Assert.Equal("test-node", started.Node);
        Assert.Equal([0, 2], started.Collectors);
        Assert.Equal(2, started.Refs.Length);
        replay.ExpectMsg<StoreExperience>(TimeSpan.FromSeconds(20));

        // The same job for another coordinator is refused.
        var stranger = CreateTestProbe();
        host.Tell(new StartCollectors("job", Settings, [1], replay.Ref, stranger.Ref), TestActor);
        Assert.Contains("another coordinator", ExpectMsg<CollectorsRefused>().Reason, StringComparison.Ordinal);

        // Newer weights in parts reach every collector whole, once per node.
        foreach (var part in WeightsSplitter.Split("job", new PolicyWeights(5, 160, Weights(0.5f)), maxFloatsPerPart: 40))
        {
            host.Tell(part, coordinator.Ref);
        }

        AwaitAssert(
            () =>
            {
                foreach (var collector in started.Refs)
                {
                    collector.Tell(GetCollectorStatus.Instance, TestActor);
                    Assert.Equal(5, ExpectMsg<CollectorStatus>().PolicyVersion);
                }
            },
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(50));

        // A collector moved here from a lost node starts at once, on the newest weights the host holds.
        host.Tell(new StartCollectors("job", Settings, [1], replay.Ref, coordinator.Ref), coordinator.Ref);
        var moved = (CollectorsStarted)coordinator.FishForMessage(m => m is CollectorsStarted, TimeSpan.FromSeconds(20));
        Assert.Equal([1], moved.Collectors);
        AwaitAssert(
            () =>
            {
                moved.Refs[0].Tell(GetCollectorStatus.Instance, TestActor);
                Assert.Equal(5, ExpectMsg<CollectorStatus>().PolicyVersion);
            },
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(50));

        // The coordinator goes away (its job ended or its node died): the host stops the job's collectors.
        var watcher = CreateTestProbe();
        var all = started.Refs.Concat(moved.Refs).ToArray();
        foreach (var collector in all)
        {
            watcher.Watch(collector);
        }

        Sys.Stop(coordinator.Ref);
        var stopped = all.Select(_ => watcher.ExpectMsg<Terminated>(TimeSpan.FromSeconds(20))).ToArray();
        Assert.Equal(all.ToHashSet(), stopped.Select(t => t.ActorRef).ToHashSet());
        host.Tell(GetCollectorHostStatus.Instance, TestActor);
        var status = ExpectMsg<CollectorHostStatus>();
        Assert.Empty(status.Jobs);
        Assert.Equal(0, status.Running);
        Assert.Equal(3, status.Started);
    }

    [Fact]
    public void A_host_should_refuse_collectors_outside_the_job_or_with_settings_it_cannot_use()
    {
        var host = Sys.ActorOf(CollectorHostActor.Props("test-node", Serilog.Core.Logger.None));
        host.Tell(new StartCollectors("job-a", Settings, [3], TestActor, TestActor), TestActor);
        Assert.Contains("not within", ExpectMsg<CollectorsRefused>().Reason, StringComparison.Ordinal);
        host.Tell(new StartCollectors("job-b", Settings with { BatchSize = 0 }, [0], TestActor, TestActor), TestActor);
        Assert.Contains("--batch-size", ExpectMsg<CollectorsRefused>().Reason, StringComparison.Ordinal);
        host.Tell(GetCollectorHostStatus.Instance, TestActor);
        Assert.Empty(ExpectMsg<CollectorHostStatus>().Jobs);
    }
}
