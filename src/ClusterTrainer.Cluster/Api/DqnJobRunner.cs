using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Hosting;
using ClusterTrainer.Api.Settings;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Cluster.Metrics;
using ClusterTrainer.Cluster.Rl;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Cluster.Api;

/// <summary>
/// DQN jobs submitted through the API. They wait in the job manager's queue like supervised jobs and hold the
/// worker nodes their collectors run on (<see cref="DqnPlacement.WorkerNodes"/>): as many as they have collectors,
/// at most as many as are registered when the job is submitted, at least one. The coordinator, replay, learner and
/// evaluator run on the coordinator node's actor system. They write the same outputs as `dqn` and report to the
/// registry like any other job.
/// </summary>
public sealed class DqnJobRunner(ActorSystem system, JobRegistry registry, NodeMetrics metrics, IRequiredActor<JobManagerActor> jobManager)
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();

    /// <summary>The settings a request asks for (<see cref="DqnSettingsSchema.FromSpec"/>); a bad value is InvalidArgument naming the field (dqn.steps).</summary>
    public static DqnSettings ToSettings(DqnSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        try
        {
            return DqnSettingsSchema.FromSpec(spec);
        }
        catch (SettingsException error)
        {
            var renamed = DqnSettingsSchema.Rename(error, SettingVocabulary.Api);
            throw TrainingSpecMapper.Invalid(renamed.Setting, renamed.Problem);
        }
    }

    /// <summary>How many worker nodes a DQN job holds: one per collector, no more than are registered, at least one.</summary>
    public static int NodesFor(DqnSettings settings, int registeredWorkers)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Math.Max(1, Math.Min(settings.Collectors, registeredWorkers));
    }

    /// <summary>Registers a new DQN job (queued) and decides how many worker nodes it holds; <see cref="Run"/> queues it.</summary>
    /// <exception cref="AskTimeoutException">The job manager did not answer within <see cref="JobControl.AskTimeout"/>.</exception>
    public async Task<JobInfo> CreateAsync(string jobId, string name, DqnSettings settings, string runDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var manager = await jobManager.GetAsync(cancellationToken).ConfigureAwait(false);
        var workers = await manager.Ask<ClusterWorkers>(GetClusterWorkers.Instance, JobControl.AskTimeout, cancellationToken).ConfigureAwait(false);
        return registry.Create(jobId, name, $"dqn-{settings.Environment}", RunJson.Serialize(settings), NodesFor(settings, workers.Nodes.Count), runDirectory);
    }

    /// <summary>Queues the job for <paramref name="nodes"/> worker nodes and runs it when they are free.</summary>
    public void Run(string jobId, DqnSettings settings, string runDirectory, int nodes)
    {
        var cancellation = new CancellationTokenSource();
        _running[jobId] = cancellation;
        _ = RunAsync(jobId, nodes, settings, runDirectory, cancellation);
    }

    public bool Cancel(string jobId)
    {
        if (!_running.TryGetValue(jobId, out var cancellation))
        {
            return false;
        }

        cancellation.Cancel();
        return true;
    }

    private async Task RunAsync(string jobId, int nodes, DqnSettings settings, string runDirectory, CancellationTokenSource cancellation)
    {
        var manager = await jobManager.GetAsync().ConfigureAwait(false);
        var reserved = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reservation = system.ActorOf(WorkerReservationActor.Props(manager, new ReserveWorkers(jobId, nodes), reserved), $"{jobId}-reservation");
        try
        {
            IReadOnlyList<string> workerNodes;
            try
            {
                workerNodes = await reserved.Task.WaitAsync(cancellation.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                manager.Tell(new CancelJob(jobId));
                throw;
            }

            var log = Serilog.Log.Logger.ForContext("JobId", jobId);
            var result = await LocalDqnCluster.RunAsync(system, settings, log, e => Report(manager, jobId, e), jobId, DqnPlacement.WorkerNodes, runDirectory, workerNodes, cancellation.Token).ConfigureAwait(false);
            var summary = DqnRunOutputs.Write(new RunDirectory(runDirectory), result);
            registry.FinishDqn(jobId, summary.EvalMeanReturn, RunJson.Serialize(summary));
        }
        catch (OperationCanceledException)
        {
            registry.Apply(new JobCancelled(jobId));
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // Any failure of a background job is reported on the job, never allowed to take the node down.
            registry.Apply(new JobFailed(jobId, error.GetBaseException().Message));
        }
        finally
        {
            manager.Tell(new ReleaseWorkers(jobId));
            system.Stop(reservation);
            _running.TryRemove(jobId, out _);
            cancellation.Dispose();
        }
    }

    private void Report(IActorRef manager, string jobId, object @event)
    {
        if (@event is DqnProgressed p)
        {
            metrics.DqnProgress(jobId, p.EnvSteps, p.Updates, p.TrainMeanReturn, p.LastEvalMean);
            var progress = new JobProgressed(jobId, 0, 0, 0, 0, p.EnvSteps, p.TotalSteps, p.TrainMeanReturn);
            registry.Apply(progress);
            // The scheduler estimates when the job's nodes come free from its progress.
            manager.Tell(progress);
        }
    }
}
