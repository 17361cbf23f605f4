using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core;
using Serilog;

namespace ClusterTrainer.Training.Tests;

/// <summary>The job manager's scheduling on a real cluster of ActorSystems on 127.0.0.1: queue, concurrency, wait bound.</summary>
public sealed class SchedulingTests
{
    private static readonly TimeSpan WaitBound = TimeSpan.FromSeconds(2);
    private static readonly JobManagerOptions ShortWait = JobManagerOptions.Default with
    {
        WorkerWait = WaitBound,
        Coordinator = CoordinatorTimeouts.Default with { ReplacementWait = WaitBound },
    };

    [Fact]
    public async Task A_job_queued_behind_a_running_job_that_outlasts_the_wait_bound_should_start_and_finish()
    {
        await using var cluster = await InProcessCluster.StartAsync(ShortWait, workers: 1);
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Data = "sample", Workers = 1, Seed = 3 };

        var queuedAt = Stopwatch.StartNew();
        var secondStarted = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstRun = ClusterJobClient.RunAsync(cluster.System, cluster.Manager, new SubmitTrainingJob("long-first", settings with { Epochs = 20 }, first.Path));
        var secondRun = ClusterJobClient.RunAsync(cluster.System, cluster.Manager, new SubmitTrainingJob("queued-second", settings with { Epochs = 1 }, second.Path),
            e => { if (e is JobProgressed) { secondStarted.TrySetResult(queuedAt.Elapsed); } });

        var summaries = await Task.WhenAll(firstRun, secondRun).WaitAsync(TimeSpan.FromMinutes(4));
        var waited = await secondStarted.Task;
        Assert.True(waited > WaitBound, $"the second job waited only {waited.TotalSeconds:F1} s, not longer than the {WaitBound.TotalSeconds} s wait bound: the test proves nothing");
        Assert.Equal(20, summaries[0].Epochs);
        Assert.Equal(1, summaries[1].Epochs);
    }

    [Fact]
    public async Task One_worker_jobs_should_run_at_once_on_different_worker_nodes_and_status_should_name_each_nodes_job()
    {
        await using var cluster = await InProcessCluster.StartAsync(ShortWait, workers: 2);
        using var runs = new TempDirectory();
        using var cancel = new CancellationTokenSource();
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Data = "sample", Workers = 1, Epochs = 200 };
        var jobs = new[] { "job-a", "job-b" }.Select(id =>
            ClusterJobClient.RunAsync(cluster.System, cluster.Manager, new SubmitTrainingJob(id, settings, Path.Combine(runs.Path, id)), cancellationToken: cancel.Token)).ToArray();

        var busy = await InProcessCluster.Eventually(cluster.Manager, w => w.RunningJobs.Count == 2);
        Assert.Equal(["job-a", "job-b"], busy.RunningJobs);
        Assert.Equal(["job-a", "job-b"], busy.NodeJobs.Order(StringComparer.Ordinal));
        Assert.Empty(busy.Queue);

        await cancel.CancelAsync();
        foreach (var job in jobs)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job.WaitAsync(TimeSpan.FromMinutes(1)));
        }

        await InProcessCluster.Eventually(cluster.Manager, w => w.RunningJobs.Count == 0);
    }

    [Fact]
    public async Task Losing_a_worker_node_should_fail_only_the_job_that_used_it()
    {
        await using var cluster = await InProcessCluster.StartAsync(ShortWait, workers: 2);
        using var runs = new TempDirectory();
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Data = "sample", Workers = 1, Seed = 5 };
        var doomed = ClusterJobClient.RunAsync(cluster.System, cluster.Manager, new SubmitTrainingJob("doomed", settings with { Epochs = 500 }, Path.Combine(runs.Path, "doomed")));
        var survivor = ClusterJobClient.RunAsync(cluster.System, cluster.Manager, new SubmitTrainingJob("survivor", settings with { Epochs = 12 }, Path.Combine(runs.Path, "survivor")));

        var busy = await InProcessCluster.Eventually(cluster.Manager, w => w.RunningJobs.Count == 2);
        var doomedNode = busy.Nodes[busy.NodeJobs.ToList().IndexOf("doomed")];
        await cluster.StopWorkerAsync(doomedNode);

        var error = await Assert.ThrowsAsync<TrainingFailedException>(() => doomed.WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.Contains(doomedNode, error.Message, StringComparison.Ordinal);
        Assert.Equal(12, (await survivor.WaitAsync(TimeSpan.FromMinutes(3))).Epochs);
    }

    [Fact]
    public async Task A_job_left_below_its_min_workers_with_no_replacement_should_fail_after_the_wait_bound_saying_so()
    {
        await using var cluster = await InProcessCluster.StartAsync(ShortWait, workers: 2);
        using var runs = new TempDirectory();
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Data = "sample", Workers = 2, MinWorkers = 2, Epochs = 500 };
        var training = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var job = ClusterJobClient.RunAsync(cluster.System, cluster.Manager, new SubmitTrainingJob("needs-two", settings, Path.Combine(runs.Path, "needs-two")),
            e => _ = e is JobProgressed && training.TrySetResult());
        await training.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var busy = await InProcessCluster.Eventually(cluster.Manager, w => w.BusyNodes.Count == 2);
        await cluster.StopWorkerAsync(busy.Nodes[0]);

        var error = await Assert.ThrowsAsync<TrainingFailedException>(() => job.WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.Contains("below --min-workers 2", error.Message, StringComparison.Ordinal);
        Assert.Contains($"no worker node joined within {WaitBound.TotalSeconds:0} s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_that_asks_for_more_workers_than_are_registered_should_fail_after_the_wait_bound_without_blocking_smaller_jobs()
    {
        await using var cluster = await InProcessCluster.StartAsync(ShortWait, workers: 1);
        using var runs = new TempDirectory();
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Data = "sample", Epochs = 1, Limit = 600 };

        var tooBig = ClusterJobClient.RunAsync(cluster.System, cluster.Manager, new SubmitTrainingJob("too-big", settings with { Workers = 2 }, Path.Combine(runs.Path, "big")));
        var fits = ClusterJobClient.RunAsync(cluster.System, cluster.Manager, new SubmitTrainingJob("fits", settings with { Workers = 1 }, Path.Combine(runs.Path, "fits")));

        Assert.Equal(1, (await fits.WaitAsync(TimeSpan.FromMinutes(2))).Epochs);
        var error = await Assert.ThrowsAsync<TrainingFailedException>(() => tooBig.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("needs 2 workers but only 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("start more worker nodes or ask for fewer workers", error.Message, StringComparison.Ordinal);
    }
}
