using Akka.TestKit.Xunit2;
using ClusterTrainer.Cluster.Shards;
using ClusterTrainer.Cluster.Workers;
using ClusterTrainer.Core;
using ClusterTrainer.Exchange.Providers;
using Serilog;

namespace ClusterTrainer.Training.Tests;

public sealed class WorkerActorTests : TestKit
{
    private Akka.Actor.IActorRef StartWorker() =>
        Sys.ActorOf(WorkerActor.Props(new LoggerConfiguration().CreateLogger(), new InProcessExchangeProvider(TimeSpan.FromSeconds(30)), WorkerTimeouts.Default, WorkerPlacement.InProcess(1)));

    [Fact]
    public void Should_answer_a_status_query_while_a_step_runs()
    {
        var data = TestData.FashionSample;
        var settings = TrainingSettings.DefaultsFor(ModelKind.Cnn);
        var shard = Sys.ActorOf(DataShardActor.Props(data.Train, 0, data.Train.Count));
        var worker = StartWorker();
        worker.Tell(new PrepareWorker("job", settings, data.Train.SampleShape, 10, 0, 1, [shard], data.Train.Count, shard), TestActor);
        ExpectMsg<WorkerPrepared>(TimeSpan.FromSeconds(30));
        worker.Tell(new ConnectExchange("job", [string.Empty]), TestActor);
        ExpectMsg<ExchangeConnected>(TimeSpan.FromSeconds(30));

        // A big step (several seconds of CNN work on one thread) so the query surely lands inside it.
        var assignment = Enumerable.Range(0, 4000).ToArray();
        worker.Tell(new StartStep("job", 0, 1, 0, assignment, assignment.Length, 1e-3, false), TestActor);
        AwaitAssert(
            () =>
            {
                worker.Tell(GetWorkerStatus.Instance, TestActor);
                var status = ExpectMsg<WorkerStatus>();
                Assert.Equal("training", status.State);
            },
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(20));

        var done = ExpectMsg<StepCompleted>(TimeSpan.FromSeconds(60));
        Assert.Equal(4000, done.Samples);
        worker.Tell(GetWorkerStatus.Instance, TestActor);
        var after = ExpectMsg<WorkerStatus>();
        Assert.Equal(0, after.LastCompletedSequence);
        Assert.Equal("ready", after.State);
    }

    [Fact]
    public void A_worker_whose_step_is_blocked_in_the_ring_when_it_regroups_should_go_on_with_the_next_step_in_the_new_ring()
    {
        var data = TestData.Small(200, 10);
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp);
        var shard = Sys.ActorOf(DataShardActor.Props(data.Train, 0, data.Train.Count));
        var exchanges = new InProcessExchangeProvider(TimeSpan.FromSeconds(60));
        var workers = Enumerable.Range(0, 2)
            .Select(_ => Sys.ActorOf(WorkerActor.Props(new LoggerConfiguration().CreateLogger(), exchanges, WorkerTimeouts.Default, WorkerPlacement.InProcess(2))))
            .ToArray();
        for (var rank = 0; rank < 2; rank++)
        {
            workers[rank].Tell(new PrepareWorker("job", settings, data.Train.SampleShape, 10, rank, 2, [shard], data.Train.Count, shard), TestActor);
        }

        // The two replies come in either order.
        Assert.Equal([0, 1], new[] { ExpectMsg<WorkerPrepared>(TimeSpan.FromSeconds(30)), ExpectMsg<WorkerPrepared>(TimeSpan.FromSeconds(30)) }.Select(m => m.Rank).Order());
        foreach (var worker in workers)
        {
            worker.Tell(new ConnectExchange("job", [string.Empty, string.Empty]), TestActor);
        }

        ExpectMsg<ExchangeConnected>(TimeSpan.FromSeconds(30));
        ExpectMsg<ExchangeConnected>(TimeSpan.FromSeconds(30));

        // Worker 1 is cut off: worker 0's step waits in the all-reduce for it, as over a link that sends no reset.
        workers[0].Tell(new StartStep("job", 0, 1, 0, [0, 1, 2, 3], 8, 0.1, false), TestActor);
        AwaitAssert(
            () =>
            {
                workers[0].Tell(GetWorkerStatus.Instance, TestActor);
                Assert.Equal("training", FishForMessage<WorkerStatus>(_ => true).State);
            },
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(50));

        workers[0].Tell(new RegroupWorker("job", 1, 0, 1), TestActor);
        var regrouped = FishForMessage<WorkerRegrouped>(_ => true, TimeSpan.FromSeconds(30));
        Assert.Equal(-1, regrouped.LastCompletedSequence);
        workers[0].Tell(new ConnectExchange("job", [regrouped.ExchangeEndpoint]), TestActor);
        FishForMessage<ExchangeConnected>(_ => true, TimeSpan.FromSeconds(30));
        workers[0].Tell(new BroadcastState("job", 0, 0), TestActor);
        FishForMessage<ParametersLoaded>(_ => true, TimeSpan.FromSeconds(30));

        // The broken step came back failed; the worker must be free again for the step the coordinator issues anew.
        workers[0].Tell(new StartStep("job", 0, 1, 0, [0, 1, 2, 3, 4, 5, 6, 7], 8, 0.1, false), TestActor);
        var done = FishForMessage<StepCompleted>(_ => true, TimeSpan.FromSeconds(30));
        Assert.Equal(8, done.Samples);
    }

    [Fact]
    public void Should_report_a_step_failure_when_a_shard_refuses_samples()
    {
        var data = TestData.Small(100, 10);
        var shard = Sys.ActorOf(DataShardActor.Props(data.Train, 0, 50));
        var worker = StartWorker();

        // The worker is told the one shard owns all 100 samples; the shard itself only has 0..49.
        worker.Tell(new PrepareWorker("job", TrainingSettings.DefaultsFor(ModelKind.Mlp), data.Train.SampleShape, 10, 0, 1, [shard], 100, shard), TestActor);
        ExpectMsg<WorkerPrepared>(TimeSpan.FromSeconds(30));
        worker.Tell(new ConnectExchange("job", [string.Empty]), TestActor);
        ExpectMsg<ExchangeConnected>(TimeSpan.FromSeconds(30));
        worker.Tell(new StartStep("job", 0, 1, 0, [10, 20, 49], 3, 0.1, false), TestActor);
        ExpectMsg<StepCompleted>(TimeSpan.FromSeconds(30));

        var stale = new StartStep("job", 1, 1, 1, [70], 1, 0.1, false);
        worker.Tell(stale, TestActor);
        var failed = ExpectMsg<StepFailed>(TimeSpan.FromSeconds(30));
        Assert.Contains("refused", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_decide_its_threads_from_its_own_node_unless_the_job_sets_them()
    {
        var data = TestData.Small(100, 10);
        var shard = Sys.ActorOf(DataShardActor.Props(data.Train, 0, 100));
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Hidden = [8] };

        // A node of 3 cores with one worker, whatever the coordinator's machine has: 3 threads.
        var onThreeCores = Sys.ActorOf(WorkerActor.Props(new LoggerConfiguration().CreateLogger(), new InProcessExchangeProvider(TimeSpan.FromSeconds(30)), WorkerTimeouts.Default, new WorkerPlacement("node-a", 3, 1)));
        onThreeCores.Tell(new PrepareWorker("job-a", settings, data.Train.SampleShape, 10, 0, 1, [shard], 100, shard), TestActor);
        Assert.Equal(3, ExpectMsg<WorkerPrepared>(TimeSpan.FromSeconds(30)).Threads);

        // The job's explicit threads win over the node's cores.
        var explicitThreads = Sys.ActorOf(WorkerActor.Props(new LoggerConfiguration().CreateLogger(), new InProcessExchangeProvider(TimeSpan.FromSeconds(30)), WorkerTimeouts.Default, new WorkerPlacement("node-b", 3, 1)));
        explicitThreads.Tell(new PrepareWorker("job-b", settings with { Threads = 1 }, data.Train.SampleShape, 10, 0, 1, [shard], 100, shard), TestActor);
        Assert.Equal(1, ExpectMsg<WorkerPrepared>(TimeSpan.FromSeconds(30)).Threads);
    }

    [Fact]
    public void Should_refuse_a_cuda_job_naming_its_node_when_the_node_has_no_cuda()
    {
        Assert.False(TorchSharp.torch.cuda.is_available(), "this test checks the refusal on a machine without CUDA");
        var data = TestData.Small(100, 10);
        var shard = Sys.ActorOf(DataShardActor.Props(data.Train, 0, 100));
        var worker = Sys.ActorOf(WorkerActor.Props(new LoggerConfiguration().CreateLogger(), new InProcessExchangeProvider(TimeSpan.FromSeconds(30)), WorkerTimeouts.Default, new WorkerPlacement("akka.tcp://clustertrainer@10.1.2.3:4053", 2, 1)));

        worker.Tell(new PrepareWorker("job", TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Device = "cuda" }, data.Train.SampleShape, 10, 0, 1, [shard], 100, shard), TestActor);

        var failed = ExpectMsg<StepFailed>(TimeSpan.FromSeconds(30));
        Assert.Contains("node akka.tcp://clustertrainer@10.1.2.3:4053 cannot train on cuda", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("torch.cuda.is_available() is false", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("--device cpu", failed.Reason, StringComparison.Ordinal);
    }
}
