using System.Diagnostics;
using Akka.Actor;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Checkpoints;
using ClusterTrainer.Core.Outputs;
using Serilog;

namespace ClusterTrainer.Training.Tests.Elastic;

/// <summary>
/// The job manager's side of a worker lost where the survivors cannot regroup in place (the job was starting, restoring,
/// writing a checkpoint or saving: <see cref="CoordinatorActorTests"/> checks that the coordinator then reports
/// <see cref="JobInterrupted"/>). On real ActorSystems, the report makes the job start again from its newest checkpoint
/// with new coordinator and shard actors, on worker actors that still hold the first attempt's job, and it finishes with
/// the parameters of the job that was never interrupted. The jobs fix one thread per worker: each in-process worker node
/// counts the machine's cores as its own while the reference's workers share them, and libtorch's sums split by thread
/// count (3 epochs at seed 7 differed by 2.3e-3 with each side's default threads).
/// </summary>
public sealed class JobRestartTests
{
    [Fact]
    public async Task A_job_interrupted_after_its_first_checkpoint_should_start_again_from_it_and_finish_as_if_it_had_not_been()
    {
        await using var cluster = await InProcessCluster.StartAsync(JobManagerOptions.Default, workers: 2);
        using var run = new TempDirectory();
        using var local = new TempDirectory();
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Data = "sample", Workers = 2, Epochs = 3, Seed = 6, Threads = 1 };
        var (job, coordinator) = await RunPastFirstCheckpointAsync(cluster, "interrupted", settings, run.Path);

        // What the coordinator sends when it loses a worker while writing a checkpoint (it must come from the coordinator).
        var node = cluster.WorkerNodes[1];
        cluster.Manager.Tell(new JobInterrupted("interrupted", node, "was lost (sent by the test)", "checkpointing"), coordinator);

        var summary = await job.WaitAsync(TimeSpan.FromMinutes(3));
        var restart = Assert.Single(summary.Membership);
        Assert.Equal("lost", restart.Change);
        Assert.Equal(node, restart.Worker);
        Assert.Contains("while the job was checkpointing; started again from the checkpoint at step", restart.Reason, StringComparison.Ordinal);
        Assert.Equal(3, summary.Epochs);
        Assert.Equal([6000L, 6000L, 6000L], summary.SamplesPerEpoch);
        // metrics.csv: a header and each epoch once, although epochs 2 and 3 ran after the restart.
        Assert.Equal(4, File.ReadAllLines(new RunDirectory(run.Path).File(RunDirectory.MetricsFile)).Length);

        var reference = await ClusterRun.TrainAsync(settings, TestData.FashionSample, local.Path);
        var difference = RunParameters.MaxDifference(RunParameters.Load(settings, run.Path), reference.Parameters);
        Assert.True(difference <= 1e-5, $"max |difference| {difference:E3} between the restarted job and the one never interrupted");
    }

    [Fact]
    public async Task A_job_that_must_start_again_below_its_min_workers_should_wait_for_a_replacement_and_finish_as_if_it_had_not_been_interrupted()
    {
        var waiting = new LogSignal("waiting up to {Seconds} s for worker nodes to join before it starts again");
        await using var cluster = await InProcessCluster.StartAsync(JobManagerOptions.Default, workers: 2, new LoggerConfiguration().WriteTo.Sink(waiting).CreateLogger());
        using var run = new TempDirectory();
        using var local = new TempDirectory();
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Data = "sample", Workers = 2, MinWorkers = 2, Epochs = 4, Seed = 7, Threads = 1 };
        var (job, coordinator) = await RunPastFirstCheckpointAsync(cluster, "short", settings, run.Path);

        // The restart a worker lost between protocols causes (sent as the coordinator would): the job manager does not take
        // the lost node back, so it must hold the job, below --min-workers 2, until a worker node registers.
        var lost = cluster.WorkerNodes[1];
        cluster.Manager.Tell(new JobInterrupted("short", lost, "left the cluster", "checkpointing"), coordinator);
        var held = await waiting.Seen.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("\"short\"", held.Properties["JobId"].ToString());
        await cluster.StopWorkerAsync(lost);
        Assert.False(job.IsCompleted, $"the job ended instead of waiting for a replacement: {job.Exception?.GetBaseException().Message ?? "it finished"}");

        await cluster.AddWorkerAsync();
        var summary = await job.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.Equal(4, summary.Epochs);
        Assert.Equal(2, summary.Workers);
        Assert.Equal([6000L, 6000L, 6000L, 6000L], summary.SamplesPerEpoch);
        Assert.Contains(summary.Membership, m => m.Change == "lost" && m.Worker == lost);

        var reference = await ClusterRun.TrainAsync(settings, TestData.FashionSample, local.Path);
        var difference = RunParameters.MaxDifference(RunParameters.Load(settings, run.Path), reference.Parameters);
        Assert.True(difference <= 1e-5, $"max |difference| {difference:E3} between the job that waited for a replacement and the one never interrupted; {string.Join(" / ", summary.Membership)}");
    }

    /// <summary>Submits the job and returns once its first epoch's checkpoint is written, with its coordinator.</summary>
    private static async Task<(Task<RunSummary> Job, IActorRef Coordinator)> RunPastFirstCheckpointAsync(InProcessCluster cluster, string jobId, TrainingSettings settings, string runDirectory)
    {
        var checkpoints = new CheckpointStore(runDirectory);
        var firstEpoch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = ClusterJobClient.RunAsync(cluster.System, cluster.Manager, new SubmitTrainingJob(jobId, settings, runDirectory),
            e => { if (e is EpochFinished) { firstEpoch.TrySetResult(); } });
        await firstEpoch.Task.WaitAsync(TimeSpan.FromMinutes(2));
        await UntilAsync(() => checkpoints.HasCheckpoints, "the first epoch's checkpoint was never written");
        var coordinator = await cluster.System.ActorSelection($"/user/*/*/{jobId}-coordinator").ResolveOne(TimeSpan.FromSeconds(10));
        return (job, coordinator);
    }

    private static async Task UntilAsync(Func<bool> condition, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), failure);
            await Task.Delay(50);
        }
    }
}
