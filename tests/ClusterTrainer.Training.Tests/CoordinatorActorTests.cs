using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Shards;
using ClusterTrainer.Cluster.Workers;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Checkpoints;
using Serilog;

namespace ClusterTrainer.Training.Tests;

/// <summary>The coordinator's state machine driven step by step, with probes standing in for workers.</summary>
public sealed class CoordinatorActorTests : TestKit, IDisposable
{
    private readonly TempDirectory _run = new();
    private readonly TestProbe _worker0;
    private readonly TestProbe _worker1;
    private readonly TestProbe _requester;

    public CoordinatorActorTests()
    {
        _worker0 = CreateTestProbe("worker0");
        _worker1 = CreateTestProbe("worker1");
        _requester = CreateTestProbe("requester");
    }

    private IActorRef Start(TrainingSettings settings, CoordinatorTimeouts? timeouts = null, int workers = 2)
    {
        var data = TestData.Small(train: 40, test: 10);
        var shard = Sys.ActorOf(DataShardActor.Props(data.Train, 0, data.Train.Count));
        var job = new TrainingJob("job-1", settings.Validate(), data, _run.Path);
        return Sys.ActorOf(CoordinatorActor.Props(job, workers == 1 ? [_worker0.Ref] : [_worker0.Ref, _worker1.Ref], [shard], shard, _requester.Ref,
            new LoggerConfiguration().CreateLogger(), timeouts ?? CoordinatorTimeouts.Default with { LostWorkerWait = TimeSpan.Zero }));
    }

    private void DriveToRunning()
    {
        foreach (var (probe, rank) in new[] { (_worker0, 0), (_worker1, 1) })
        {
            var prepare = probe.ExpectMsg<PrepareWorker>();
            Assert.Equal(rank, prepare.Rank);
            Assert.Equal(2, prepare.WorldSize);
            probe.Reply(new WorkerPrepared("job-1", rank, 3, $"127.0.0.1:{5000 + rank}", 1));
        }

        foreach (var (probe, rank) in new[] { (_worker0, 0), (_worker1, 1) })
        {
            Assert.Equal(new[] { "127.0.0.1:5000", "127.0.0.1:5001" }, probe.ExpectMsg<ConnectExchange>().Endpoints);
            probe.Reply(new ExchangeConnected("job-1", rank));
        }

        foreach (var (probe, rank) in new[] { (_worker0, 0), (_worker1, 1) })
        {
            probe.ExpectMsg<BroadcastInitialParameters>();
            probe.Reply(new ParametersLoaded("job-1", rank, "same"));
        }
    }

    [Fact]
    public void Should_connect_the_exchange_broadcast_parameters_and_keep_a_window_of_two_steps()
    {
        var coordinator = Start(TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = 2, BatchSize = 10, Epochs = 1 });
        DriveToRunning();

        var first = _worker0.ExpectMsg<StartStep>();
        var second = _worker0.ExpectMsg<StartStep>();
        _worker0.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(new long[] { 0, 1 }, new[] { first.Sequence, second.Sequence });
        Assert.Equal(5, first.Assignment.Length);

        coordinator.Tell(GetJobStatus.Instance, TestActor);
        Assert.Equal("running", ExpectMsg<JobStatus>().State);

        // The third step is issued only when every worker has finished the first.
        coordinator.Tell(new StepCompleted("job-1", 0, 1, 0, 0, 1.0, 5, null), _worker0.Ref);
        _worker0.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        coordinator.Tell(new StepCompleted("job-1", 0, 1, 0, 1, 1.0, 5, null), _worker1.Ref);
        Assert.Equal(2, _worker0.ExpectMsg<StartStep>().Sequence);
        _requester.FishForMessage(m => m is JobProgressed p && p.Step == 1);
    }

    [Fact]
    public void Should_fail_when_a_worker_loads_different_initial_parameters()
    {
        Start(TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = 2, BatchSize = 10, Epochs = 1 });
        foreach (var (probe, rank) in new[] { (_worker0, 0), (_worker1, 1) })
        {
            probe.ExpectMsg<PrepareWorker>();
            probe.Reply(new WorkerPrepared("job-1", rank, 3, string.Empty, 1));
        }

        foreach (var (probe, rank) in new[] { (_worker0, 0), (_worker1, 1) })
        {
            probe.ExpectMsg<ConnectExchange>();
            probe.Reply(new ExchangeConnected("job-1", rank));
        }

        _worker0.ExpectMsg<BroadcastInitialParameters>();
        _worker0.Reply(new ParametersLoaded("job-1", 0, "aaaa"));
        _worker1.ExpectMsg<BroadcastInitialParameters>();
        _worker1.Reply(new ParametersLoaded("job-1", 1, "bbbb"));
        Assert.Contains("checksum bbbb", _requester.FishForMessage<JobFailed>(_ => true).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_fail_the_job_loudly_when_replicas_drift_apart()
    {
        var coordinator = Start(TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = 2, BatchSize = 10, Epochs = 1, ChecksumEvery = 1 });
        DriveToRunning();
        var step = _worker0.ExpectMsg<StartStep>();
        Assert.True(step.ReportChecksum);
        coordinator.Tell(new StepCompleted("job-1", 0, 1, 0, 0, 1.0, 5, "aaaa"), _worker0.Ref);
        coordinator.Tell(new StepCompleted("job-1", 0, 1, 0, 1, 1.0, 5, "bbbb"), _worker1.Ref);
        var failed = _requester.FishForMessage<JobFailed>(_ => true);
        Assert.Contains("drifted", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("worker 1=bbbb", failed.Reason, StringComparison.Ordinal);
        _worker0.FishForMessage(m => m is ReleaseJob);
    }

    [Fact]
    public void Should_fail_with_a_clear_message_instead_of_waiting_forever_for_a_silent_worker()
    {
        Start(TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = 2, BatchSize = 10, Epochs = 1 },
            new CoordinatorTimeouts(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(100)));
        DriveToRunning();
        _worker0.ExpectMsg<StartStep>();
        var failed = _requester.FishForMessage<JobFailed>(_ => true, TimeSpan.FromSeconds(10));
        Assert.Contains("no progress", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("running", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_report_a_worker_failure_as_the_reason_the_job_failed()
    {
        var coordinator = Start(TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = 2, BatchSize = 10, Epochs = 1 });
        DriveToRunning();
        _worker1.ExpectMsg<StartStep>();
        coordinator.Tell(new StepFailed("job-1", 0, 1, "out of memory"), _worker1.Ref);
        var failed = _requester.FishForMessage<JobFailed>(_ => true);
        Assert.Contains("worker 1", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("out of memory", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_the_lost_worker_when_a_survivor_reports_the_broken_ring_first()
    {
        var coordinator = Start(TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = 2, BatchSize = 10, Epochs = 1 }, CoordinatorTimeouts.Default);
        DriveToRunning();
        _worker1.ExpectMsg<StartStep>();

        // Worker 0's node died: worker 1's all-reduce fails at once, the failure detector needs a few seconds more.
        coordinator.Tell(new StepFailed("job-1", 0, 1, "all-reduce failed: rank 1 during the call header, left neighbour rank 0 (10.0.0.7:41000): the peer closed the connection"), _worker1.Ref);
        _requester.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        coordinator.Tell(GetJobStatus.Instance, TestActor);
        Assert.Equal("running", ExpectMsg<JobStatus>().State);
        coordinator.Tell(new WorkerLost(0, "akka.tcp://clustertrainer@10.0.0.7:4053", "became unreachable"));

        var failed = _requester.FishForMessage<JobFailed>(_ => true);
        Assert.StartsWith("worker 0 at akka.tcp://clustertrainer@10.0.0.7:4053 became unreachable while the job was running", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("first error reported: worker 1 failed", failed.Reason, StringComparison.Ordinal);
        _worker1.FishForMessage(m => m is ReleaseJob);
    }

    [Fact]
    public void Should_fail_with_the_reported_error_when_no_worker_node_is_lost_within_the_wait()
    {
        var coordinator = Start(TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = 2, BatchSize = 10, Epochs = 1 },
            CoordinatorTimeouts.Default with { LostWorkerWait = TimeSpan.FromMilliseconds(300) });
        DriveToRunning();
        _worker1.ExpectMsg<StartStep>();

        coordinator.Tell(new StepFailed("job-1", 0, 1, "out of memory"), _worker1.Ref);
        coordinator.Tell(new StepFailed("job-1", 0, 0, "all-reduce failed: the peer closed the connection"), _worker0.Ref);

        var failed = _requester.FishForMessage<JobFailed>(_ => true, TimeSpan.FromSeconds(10));
        Assert.Equal("worker 1 failed (step sequence 0): out of memory", failed.Reason);
    }

    [Fact]
    public void Should_cancel_on_request_and_release_the_workers_also_when_the_steps_in_flight_never_finish()
    {
        var coordinator = Start(TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = 2, BatchSize = 10, Epochs = 1 },
            CoordinatorTimeouts.Default with { LostWorkerWait = TimeSpan.Zero, CancelDrain = TimeSpan.FromMilliseconds(300) });
        DriveToRunning();
        coordinator.Tell(new CancelJob("job-1"));
        _requester.FishForMessage(m => m is JobCancelled);
        Assert.Empty(new CheckpointStore(_run.Path).Files());
        _worker1.FishForMessage(m => m is ReleaseJob);
        coordinator.Tell(GetJobStatus.Instance, TestActor);
        Assert.Equal("cancelled", ExpectMsg<JobStatus>().State);
    }

    [Fact]
    public void A_cancel_should_let_the_steps_in_flight_finish_and_write_a_checkpoint_of_worker_0s_state_first()
    {
        var coordinator = Start(TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = 2, BatchSize = 10, Epochs = 1 });
        DriveToRunning();
        var issued = new[] { _worker0, _worker1 }.Select(probe => (probe, probe.ExpectMsg<StartStep>(), probe.ExpectMsg<StartStep>())).ToArray();
        coordinator.Tell(new CancelJob("job-1"));
        _requester.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        for (var rank = 0; rank < 2; rank++)
        {
            var (probe, first, second) = issued[rank];
            foreach (var step in new[] { first, second })
            {
                coordinator.Tell(new StepCompleted("job-1", step.Sequence, step.Epoch, step.Step, rank, 2.0, step.Assignment.Length, null), probe.Ref);
            }
        }

        var capture = _worker0.FishForMessage<CaptureState>(_ => true);
        Assert.Equal(2, capture.Sequence);
        coordinator.Tell(new StateChunk("job-1", 2, 0, 2, [1, 2, 3], "cafe"), _worker0.Ref);
        coordinator.Tell(new StateChunk("job-1", 2, 1, 2, [4, 5], "cafe"), _worker0.Ref);
        _requester.FishForMessage(m => m is JobCancelled);

        var checkpoint = new CheckpointStore(_run.Path).LoadLatest(TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = 2, BatchSize = 10, Epochs = 1 });
        Assert.Equal([1, 2, 3, 4, 5], checkpoint.State);
        Assert.Equal(2, checkpoint.Position.Step);
        Assert.Equal(1, checkpoint.Position.Epoch);
        Assert.Equal("cafe", checkpoint.Position.ParameterChecksum);
        Assert.Equal(8.0, checkpoint.Position.EpochLossSum);
    }

    [Fact]
    public void A_worker_lost_while_the_job_prepares_should_end_this_attempt_and_ask_the_job_manager_to_start_it_again_on_the_survivor()
    {
        var coordinator = Start(TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = 2, BatchSize = 10, Epochs = 1 });
        _worker0.ExpectMsg<PrepareWorker>();
        _worker1.ExpectMsg<PrepareWorker>();
        _worker0.Reply(new WorkerPrepared("job-1", 0, 3, "127.0.0.1:5000", 1));

        // Both probes live on the test's own node: the first worker there is the one lost.
        var node = _worker0.Ref.Path.Address.ToString();
        coordinator.Tell(new WorkerLost(0, node, "became unreachable"));

        var interrupted = _requester.ExpectMsg<JobInterrupted>();
        Assert.Equal(new JobInterrupted("job-1", node, "became unreachable", "preparing"), interrupted);
        _worker1.FishForMessage(m => m is ReleaseJob);
        coordinator.Tell(GetJobStatus.Instance, TestActor);
        Assert.Equal("restarting", ExpectMsg<JobStatus>().State);
    }

    [Fact]
    public void A_worker_lost_while_the_job_prepares_should_ask_for_a_restart_even_below_min_workers_for_the_job_manager_waits_for_replacements()
    {
        var coordinator = Start(TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = 2, MinWorkers = 2, BatchSize = 10, Epochs = 1 });
        _worker0.ExpectMsg<PrepareWorker>();
        coordinator.Tell(new WorkerLost(0, _worker0.Ref.Path.Address.ToString(), "left the cluster"));

        Assert.Equal("preparing", _requester.FishForMessage<JobInterrupted>(_ => true).State);
    }

    [Fact]
    public void A_job_that_lost_its_last_worker_while_preparing_should_fail_naming_the_loss()
    {
        var coordinator = Start(TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = 1, BatchSize = 10, Epochs = 1 }, workers: 1);
        _worker0.ExpectMsg<PrepareWorker>();
        coordinator.Tell(new WorkerLost(0, _worker0.Ref.Path.Address.ToString(), "left the cluster"));

        var failed = _requester.FishForMessage<JobFailed>(_ => true);
        Assert.Contains("left the cluster while the job was preparing", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_worker_lost_while_a_checkpoint_is_written_should_ask_for_a_restart_from_the_newest_checkpoint()
    {
        var coordinator = Start(TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Workers = 2, BatchSize = 10, Epochs = 1, CheckpointEvery = 1 });
        DriveToRunning();
        // The two steps in flight drain before the checkpoint's capture.
        var issued = new[] { _worker0, _worker1 }.Select(probe => (probe, probe.ExpectMsg<StartStep>(), probe.ExpectMsg<StartStep>())).ToArray();
        for (var rank = 0; rank < 2; rank++)
        {
            var (probe, first, second) = issued[rank];
            foreach (var step in new[] { first, second })
            {
                coordinator.Tell(new StepCompleted("job-1", step.Sequence, step.Epoch, step.Step, rank, 2.0, step.Assignment.Length, null), probe.Ref);
            }
        }

        _worker0.FishForMessage<CaptureState>(_ => true);
        coordinator.Tell(new WorkerLost(1, _worker0.Ref.Path.Address.ToString(), "became unreachable"));

        Assert.Equal("checkpointing", _requester.FishForMessage<JobInterrupted>(_ => true).State);
    }

    void IDisposable.Dispose()
    {
        _run.Dispose();
        Dispose();
    }
}
