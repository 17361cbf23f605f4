using Akka.Actor;
using Akka.Hosting;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Checkpoints;
using ClusterTrainer.Core.Outputs;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace ClusterTrainer.Cluster.Api.Store;

/// <summary>
/// Connects the job API to its durable store. At start it reads the history back: ended jobs are listed again,
/// queued jobs are queued again in their order, and jobs that were running are marked failed ("coordinator
/// restarted"), because their workers lost the job with the coordinator. Afterwards it records every submission
/// (before the job is queued), every start and every end. The API waits for <see cref="Ready"/>, so a job submitted
/// after a restart queues behind the jobs submitted before it.
/// </summary>
public sealed class JobStore(
    IRequiredActor<JobStoreActor> store,
    IRequiredActor<JobManagerActor> jobManager,
    IRequiredActor<ApiJobListenerActor> listener,
    JobRegistry registry,
    DqnJobRunner dqn,
    JobStoreLocation location) : IHostedService
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<string> _started = new(StringComparer.Ordinal);
    private IActorRef? _store;

    /// <summary>Completes once the history is back; faults, naming the store, when it could not be read.</summary>
    public Task Ready => _ready.Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = RecoverAsync();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Writes a new job's submission; returns once it is durable.</summary>
    /// <exception cref="TimeoutException">naming the store when it does not confirm within <see cref="Timeout"/>.</exception>
    public async Task RecordAsync(JobInfo info, string kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(info);
        await Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        var job = new StoredJob(info.JobId, info.Name, kind, info.Model, info.SettingsJson, info.Workers, info.Epochs, info.RunDirectory);
        try
        {
            await _store!.Ask<JobRecorded>(new JobSubmitted(job), Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException error)
        {
            throw new TimeoutException($"the job store ({location.Description}) did not record job {info.JobId} within {Timeout.TotalSeconds:0} s", error);
        }
    }

    private async Task RecoverAsync()
    {
        try
        {
            _store = await store.GetAsync().ConfigureAwait(false);
            var history = await _store.Ask<JobHistory>(GetJobHistory.Instance, Timeout).ConfigureAwait(false);
            var manager = await jobManager.GetAsync().ConfigureAwait(false);
            var events = await listener.GetAsync().ConfigureAwait(false);
            registry.Published += Record;
            foreach (var stored in history.Jobs)
            {
                Restore(stored, manager, events);
            }

            Log.Information("Job store {Store}: {Jobs} jobs from before, {Queued} queued again", location.Description, history.Jobs.Count, history.Jobs.Count(j => j.State == StoredJobState.Queued));
            _ready.TrySetResult();
        }
        catch (Exception error) when (error is AskTimeoutException or TimeoutException or Akka.Persistence.RecoveryTimedOutException)
        {
            Log.Error(error, "Job store {Store} could not be read", location.Description);
            _ready.TrySetException(new InvalidOperationException($"the job store ({location.Description}) could not be read within {Timeout.TotalSeconds:0} s: {error.Message}", error));
        }
    }

    private void Restore(StoredJobState stored, IActorRef manager, IActorRef events)
    {
        var job = stored.Job;
        registry.Restore(stored);
        if (stored.State is not (StoredJobState.Running or StoredJobState.Queued))
        {
            return;
        }

        if (stored.State == StoredJobState.Running)
        {
            lock (_started)
            {
                _started.Add(job.JobId);
            }
        }

        // A running job starts again ahead of the queued ones (they were queued after it), the same way a queued one does:
        // a DQN job from the beginning (its replay buffer and learner lived in the coordinator process), a training job
        // from its newest checkpoint when its run directory holds one (a running job that had written one, or a queued
        // resume), else from the beginning.
        if (job.Kind == StoredJob.Dqn)
        {
            Log.Information("DQN job {JobId} was {State} when the coordinator stopped; it starts from the beginning", job.JobId, stored.State);
            dqn.Run(job.JobId, RunJson.Deserialize<ClusterTrainer.Rl.Dqn.DqnSettings>(job.SettingsJson, "stored DQN settings"), job.RunDirectory, job.Workers);
            return;
        }

        var resume = new CheckpointStore(job.RunDirectory).HasCheckpoints;
        Log.Information("Job {JobId} was {State} when the coordinator stopped; it {Continues}", job.JobId, stored.State,
            resume ? "resumes from its newest checkpoint" : "starts from the beginning");
        manager.Tell(new SubmitTrainingJob(job.JobId, RunJson.Deserialize<TrainingSettings>(job.SettingsJson, "stored training settings"), job.RunDirectory, Resume: resume), events);
    }

    /// <summary>Runs under the registry's lock, for every event: only a job's first progress and its end are written.</summary>
    private void Record(JobEvent @event)
    {
        switch (@event.EventCase)
        {
            case JobEvent.EventOneofCase.Progress:
                bool first;
                lock (_started)
                {
                    first = _started.Add(@event.JobId);
                }

                if (first)
                {
                    _store?.Tell(new JobStarted(@event.JobId));
                }

                break;
            case JobEvent.EventOneofCase.Ended:
                var ended = @event.Ended;
                var state = ended.State switch
                {
                    JobState.Finished => JobEnded.Finished,
                    JobState.Cancelled => JobEnded.Cancelled,
                    _ => JobEnded.Failed,
                };
                _store?.Tell(new JobEnded(ended.JobId, state, ended.Error, ended.SummaryJson, ended.HasTestAccuracy ? ended.TestAccuracy : null, ended.EvalMeanReturn));
                break;
        }
    }
}
