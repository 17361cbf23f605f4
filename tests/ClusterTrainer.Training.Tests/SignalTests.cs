using System.Diagnostics;
using ClusterTrainer.Cli;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// Ctrl-C and SIGTERM sent to the real program (issue 15, item 1): the first cancels the job, keeps the finished
/// epochs' outputs, stops every child process and exits 130 within <see cref="TerminationSignals.GracePeriod"/>;
/// a second ends the program at once.
/// </summary>
public class SignalTests
{
    /// <summary>The grace period, plus room for a loaded machine to schedule the process's last steps.</summary>
    private static readonly TimeSpan Bound = TerminationSignals.GracePeriod + TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Ctrl_C_should_cancel_train_keep_the_finished_epochs_and_exit_130()
    {
        using var run = new TempDirectory();
        await using var train = CliProcess.Start("train", "--data", "sample", "--epochs", "50", "--out", run.Path);
        await train.WaitForOutputAsync("Epoch 1 of 50", TimeSpan.FromMinutes(2));

        train.Signal(Posix.SigInt);
        var signalled = Stopwatch.StartNew();
        var code = await train.WaitForExitAsync(Bound);

        Assert.True(code == CliApp.Cancelled, train.Output);
        Assert.True(signalled.Elapsed < Bound, $"exited {signalled.Elapsed.TotalSeconds:F1} s after the signal");
        Assert.Contains("cancelled", train.Output, StringComparison.Ordinal);
        var directory = new RunDirectory(run.Path);
        Assert.InRange(directory.FinishedEpochs(), 1, 49);
        Assert.True(File.Exists(directory.File(RunDirectory.LossPlotFile)));
        Assert.False(File.Exists(directory.File(RunDirectory.ModelFile)), "a cancelled run must not leave a model that looks finished");
    }

    [Fact]
    public async Task SIGTERM_should_cancel_a_cluster_run_and_stop_every_worker_process()
    {
        using var run = new TempDirectory();
        await using var cluster = CliProcess.Start("cluster", "--workers", "2", "--data", "sample", "--epochs", "50", "--out", run.Path);
        var workers = await WorkersPastTheFirstEpochAsync(cluster);

        cluster.Signal(Posix.SigTerm);
        var signalled = Stopwatch.StartNew();
        var code = await cluster.WaitForExitAsync(Bound);

        Assert.True(code == CliApp.Cancelled, cluster.Output);
        Assert.True(signalled.Elapsed < Bound, $"exited {signalled.Elapsed.TotalSeconds:F1} s after the signal");
        Assert.DoesNotContain(workers, CliProcess.IsAlive);
        Assert.True(new RunDirectory(run.Path).FinishedEpochs() >= 1);
    }

    [Fact]
    public async Task A_second_Ctrl_C_should_end_a_cluster_run_at_once_taking_its_workers_with_it()
    {
        using var run = new TempDirectory();
        await using var cluster = CliProcess.Start("cluster", "--workers", "2", "--data", "sample", "--epochs", "50", "--out", run.Path);
        var workers = await WorkersPastTheFirstEpochAsync(cluster);

        cluster.Signal(Posix.SigInt);
        await cluster.WaitForOutputAsync("SIGINT (Ctrl-C) received", TimeSpan.FromSeconds(10));
        cluster.Signal(Posix.SigInt);
        var code = await cluster.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.True(code == CliApp.Cancelled, cluster.Output);
        Assert.Contains("stopping at once", cluster.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(workers, CliProcess.IsAlive);
    }

    /// <summary>Waits until a `cluster --workers 2` run has finished its first epoch; the PIDs of its two worker processes.</summary>
    private static async Task<int[]> WorkersPastTheFirstEpochAsync(CliProcess cluster)
    {
        await cluster.WaitForOutputAsync("Epoch 1 of 50", TimeSpan.FromMinutes(3));
        var workers = cluster.ChildPids();
        Assert.Equal(2, workers.Length);
        return workers;
    }
}
