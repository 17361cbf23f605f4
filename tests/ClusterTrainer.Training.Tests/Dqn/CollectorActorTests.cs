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
                    collector.Tell(GetCollectorStatus.Instance, TestActor);
                    Assert.Equal(5, ExpectMsg<CollectorStatus>().PolicyVersion);
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
        var sampled = learner.ExpectMsg<BatchesSampled>(TimeSpan.FromSeconds(10));
        Assert.Equal(4, sampled.Count);
        Assert.Equal(4 * Settings.BatchSize, sampled.Actions.Length);
        AwaitAssert(() => Assert.True(ReplayStatus(replay).TotalAdded > held + 100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        coordinator.ExpectMsg<CollectorProgressed>(TimeSpan.FromSeconds(5));
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
        replay.Tell(GetReplayStatus.Instance, TestActor);
        return ExpectMsg<ReplayStatus>();
    }
}
