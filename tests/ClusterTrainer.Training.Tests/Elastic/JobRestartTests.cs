using System.Diagnostics;
using Akka.Actor;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Checkpoints;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Training.Tests.Elastic;

/// <summary>
/// The job manager's side of a worker lost where the survivors cannot regroup in place (the job was starting, restoring,
/// writing a checkpoint or saving: <see cref="CoordinatorActorTests"/> checks that the coordinator then reports
/// <see cref="JobInterrupted"/>). On real ActorSystems, the report makes the job start again from its newest checkpoint
/// with new coordinator and shard actors, on worker actors that still hold the first attempt's job, and it finishes with
/// the parameters of the job that was never interrupted.
/// </summary>
public sealed class JobRestartTests
{
    [Fact]
    public async Task A_job_interrupted_after_its_first_checkpoint_should_start_again_from_it_and_finish_as_if_it_had_not_been()
    {
        await using var cluster = await InProcessCluster.StartAsync(JobManagerOptions.Default, workers: 2);
        using var run = new TempDirectory();
        using var local = new TempDirectory();
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Data = "sample", Workers = 2, Epochs = 3, Seed = 6 };
        var checkpoints = new CheckpointStore(run.Path);
        var firstEpoch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = ClusterJobClient.RunAsync(cluster.System, cluster.Manager, new SubmitTrainingJob("interrupted", settings, run.Path),
            e => { if (e is EpochFinished) { firstEpoch.TrySetResult(); } });
        await firstEpoch.Task.WaitAsync(TimeSpan.FromMinutes(2));
        await UntilAsync(() => checkpoints.Files().Count > 0, "the first epoch's checkpoint was never written");

        // What the coordinator sends when it loses a worker while writing a checkpoint (it must come from the coordinator).
        var coordinator = await cluster.System.ActorSelection("/user/*/*/interrupted-coordinator").ResolveOne(TimeSpan.FromSeconds(10));
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
