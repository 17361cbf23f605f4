using System.Collections.Concurrent;
using Akka.Actor;
using ClusterTrainer.Api.Settings;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Cluster.Metrics;
using ClusterTrainer.Cluster.Rl;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Cluster.Api;

/// <summary>
/// DQN jobs submitted through the API. The coordinator, replay, learner and evaluator run on the
/// coordinator node's actor system beside the supervised queue; the collectors run on the cluster's
/// worker nodes (<see cref="DqnPlacement.WorkerNodes"/>). They write the same outputs as `dqn` and
/// report to the registry like any other job.
/// </summary>
public sealed class DqnJobRunner(ActorSystem system, JobRegistry registry, NodeMetrics metrics)
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

    public JobInfo Start(string jobId, string name, DqnSettings settings, string runDirectory)
    {
        var info = registry.Create(jobId, name, $"dqn-{settings.Environment}", RunJson.Serialize(settings), 1, runDirectory);
        var cancellation = new CancellationTokenSource();
        _running[jobId] = cancellation;
        _ = RunAsync(jobId, settings, runDirectory, cancellation);
        return info;
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

    private async Task RunAsync(string jobId, DqnSettings settings, string runDirectory, CancellationTokenSource cancellation)
    {
        try
        {
            var log = Serilog.Log.Logger.ForContext("JobId", jobId);
            var result = await LocalDqnCluster.RunAsync(system, settings, log, e => Report(jobId, e), jobId, DqnPlacement.WorkerNodes, runDirectory, cancellation.Token).ConfigureAwait(false);
            var summary = DqnRunOutputs.Write(new RunDirectory(runDirectory), result);
            registry.FinishDqn(jobId, summary.EvalMeanReturn, RunJson.Serialize(summary));
        }
        catch (OperationCanceledException)
        {
            registry.Apply(new Coordination.JobCancelled(jobId));
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // Any failure of a background job is reported on the job, never allowed to take the node down.
            registry.Apply(new Coordination.JobFailed(jobId, error.GetBaseException().Message));
        }
        finally
        {
            _running.TryRemove(jobId, out _);
            cancellation.Dispose();
        }
    }

    private void Report(string jobId, object @event)
    {
        if (@event is DqnProgressed p)
        {
            metrics.DqnProgress(jobId, p.EnvSteps, p.Updates, p.TrainMeanReturn, p.LastEvalMean);
            registry.Apply(new Coordination.JobProgressed(jobId, 0, 0, 0, 0, p.EnvSteps, p.TotalSteps, p.TrainMeanReturn));
        }
    }
}
