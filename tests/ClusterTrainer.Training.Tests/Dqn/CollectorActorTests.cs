using Akka.TestKit.Xunit2;
using ClusterTrainer.Cluster.Rl;
using ClusterTrainer.Models.Dqn;
using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Training.Tests.Dqn;

public sealed class CollectorActorTests : TestKit
{
    private static readonly DqnSettings Settings = new()
    {
        Collectors = 2,
        EnvsPerCollector = 2,
        ChunkSteps = 8,
        Steps = 100_000,
        Hidden = [16],
        LearningStarts = 200,
        MaxLag = 400,
        ReplayRatio = 0.5,
        BatchSize = 8,
    };

    private static float[] InitialWeights()
    {
        using var network = new QNetwork(4, Settings.Hidden, 2, seed: 3);
        return network.ExportParameters();
    }

    [Fact]
    public void Collectors_should_keep_collecting_and_take_new_weights_while_the_learner_is_stalled()
    {
        var replay = Sys.ActorOf(ReplayActor.Props(Settings, 4));
        var coordinator = CreateTestProbe();
        var weights = InitialWeights();
        var collectors = Enumerable.Range(0, 2)
            .Select(i => Sys.ActorOf(CollectorActor.Props(new CollectorSetup(i, Settings, weights), replay, coordinator, Serilog.Core.Logger.None)))
            .ToArray();

        // No learner ever asks for a batch. Weights still arrive (as if from a learner on another node),
        // and the collectors adopt them without having waited for them.
        AwaitAssert(() => Assert.True(ReplayStatus(replay).TotalAdded >= 100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        var published = new PolicyWeights(5, 0, weights.Select(w => w * 0.5f).ToArray());
        foreach (var collector in collectors)
        {
            collector.Tell(published, TestActor);
        }

        AwaitAssert(
            () =>
            {
                foreach (var collector in collectors)
                {
                    // A probe per question: a late answer to an earlier try can never be taken for this one's.
                    var asker = CreateTestProbe();
                    collector.Tell(GetCollectorStatus.Instance, asker);
                    Assert.Equal(5, asker.ExpectMsg<CollectorStatus>(TimeSpan.FromSeconds(10)).PolicyVersion);
                }
            },
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(20));

        // They run on to the edge of the lag window (learning starts + max lag) with zero updates done...
        AwaitAssert(() => Assert.True(ReplayStatus(replay).TotalAdded >= Settings.LearningStarts + Settings.MaxLag), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        // ...and no further than the chunks they may have in flight: memory and staleness stay bounded.
        AwaitAssert(() => Assert.True(ReplayStatus(replay).HeldChunks > 0), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        var slack = Settings.Collectors * CollectorActor.MaxChunksInFlight * Settings.ChunkSteps * Settings.EnvsPerCollector;
        var held = ReplayStatus(replay).TotalAdded;
        Assert.InRange(held, Settings.LearningStarts + Settings.MaxLag, Settings.LearningStarts + Settings.MaxLag + slack);

        // The learner wakes up: reporting updates frees the collectors, and it is served batches.
        var learner = CreateTestProbe();
        replay.Tell(new SampleBatches(UpdatesDone: 200, MaxBatches: 4), learner);
        // Bounds, not expectations of speed: the suite runs on a loaded two-core machine.
        var sampled = learner.ExpectMsg<BatchesSampled>(TimeSpan.FromSeconds(30));
        Assert.Equal(4, sampled.Count);
        Assert.Equal(4 * Settings.BatchSize, sampled.Actions.Length);
        AwaitAssert(() => Assert.True(ReplayStatus(replay).TotalAdded > held + 100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        coordinator.ExpectMsg<CollectorProgressed>(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Weights_that_arrive_while_the_chunk_that_fills_the_window_is_computed_should_be_loaded_once_it_is_held()
    {
        // One collector, a window of one chunk: chunk 1 is acknowledged, chunks 2 and 3 are held, and the collector then
        // waits with both in flight. Weights sent as chunk 2 is reported arrive while chunk 3 is being computed
        // (thousands of steps), so the collector is busy on arrival and idle, held back, right after.
        const int ChunkSteps = 4000;
        var settings = Settings with { Collectors = 1, EnvsPerCollector = 1, ChunkSteps = ChunkSteps, LearningStarts = 0, MaxLag = ChunkSteps, Steps = 1_000_000 };
        var replay = Sys.ActorOf(ReplayActor.Props(settings, 4));
        var coordinator = CreateTestProbe();
        var weights = InitialWeights();
        var collector = Sys.ActorOf(CollectorActor.Props(new CollectorSetup(0, settings, weights), replay, coordinator, Serilog.Core.Logger.None));

        coordinator.ExpectMsg<CollectorProgressed>(TimeSpan.FromSeconds(30));
        coordinator.ExpectMsg<CollectorProgressed>(TimeSpan.FromSeconds(30));
        collector.Tell(new PolicyWeights(5, 0, weights.Select(w => w * 0.5f).ToArray()), TestActor);
        coordinator.ExpectMsg<CollectorProgressed>(TimeSpan.FromSeconds(30));

        AwaitAssert(
            () =>
            {
                var asker = CreateTestProbe();
                collector.Tell(GetCollectorStatus.Instance, asker);
                var status = asker.ExpectMsg<CollectorStatus>(TimeSpan.FromSeconds(10));
                Assert.Equal(CollectorActor.MaxChunksInFlight, status.ChunksInFlight);
                Assert.Equal(5, status.PolicyVersion);
            },
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void A_collector_should_report_its_episodes_and_finish_exactly_at_its_quota()
    {
        var settings = Settings with { Collectors = 1, Steps = 1000, ReplayRatio = 0, LearningStarts = 0 };
        var replay = Sys.ActorOf(ReplayActor.Props(settings, 4));
        var coordinator = CreateTestProbe();
        Sys.ActorOf(CollectorActor.Props(new CollectorSetup(0, settings, InitialWeights()), replay, coordinator, Serilog.Core.Logger.None));

        var transitions = 0L;
        var episodes = 0;
        CollectorFinished? finished = null;
        while (finished is null)
        {
            var message = coordinator.ExpectMsg<object>(TimeSpan.FromSeconds(30));
            if (message is CollectorProgressed progress)
            {
                transitions += progress.Transitions;
                episodes += progress.EpisodeReturns.Length;
            }

            finished = message as CollectorFinished;
        }

        Assert.Equal(1000, finished.Steps);
        Assert.Equal(1000, transitions);
        Assert.True(episodes > 10, $"{episodes} episodes in 1000 mostly random steps");
        AwaitAssert(() => Assert.Equal(1000, ReplayStatus(replay).TotalAdded), TimeSpan.FromSeconds(10));
    }

    private ReplayStatus ReplayStatus(Akka.Actor.IActorRef replay)
    {
        var asker = CreateTestProbe();
        replay.Tell(GetReplayStatus.Instance, asker);
        return asker.ExpectMsg<ReplayStatus>(TimeSpan.FromSeconds(10));
    }
}
