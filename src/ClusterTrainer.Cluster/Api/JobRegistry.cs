using System.Threading.Channels;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cluster.Api.Store;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Cluster.Api;

/// <summary>
/// What the job API knows about the jobs submitted through it: their latest state and every event, so a
/// watcher that connects late (or reconnects) first gets the history, then live events.
/// </summary>
public sealed class JobRegistry
{
    private readonly Dictionary<string, Entry> _jobs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>
    /// Every event as it is recorded (progress, epoch results, the end), in order, for the node's metrics and the
    /// dashboard. Handlers run under the registry's lock, so they must be quick and must not call back into it.
    /// </summary>
    public event Action<JobEvent>? Published;

    public JobInfo Create(string jobId, string name, TrainingSettings settings, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var info = Create(jobId, name, settings.Model.ToString().ToLowerInvariant(), RunJson.Serialize(settings), settings.Workers, runDirectory);
        lock (_lock)
        {
            _jobs[jobId].Info.Epochs = settings.Epochs;
            return _jobs[jobId].Info.Clone();
        }
    }

    public JobInfo Create(string jobId, string name, string model, string settingsJson, int workers, string runDirectory)
    {
        var info = new JobInfo
        {
            JobId = jobId,
            Name = name,
            State = JobState.Queued,
            Model = model,
            Workers = workers,
            RunDirectory = runDirectory,
            SettingsJson = settingsJson,
        };
        lock (_lock)
        {
            _jobs.Add(jobId, new Entry(info));
            return info.Clone();
        }
    }

    /// <summary>Puts back a job read from the durable store, as it was; an ended job's watchers get its end at once.</summary>
    public void Restore(StoredJobState stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var job = stored.Job;
        var info = new JobInfo
        {
            JobId = job.JobId,
            Name = job.Name,
            Model = job.Model,
            Workers = job.Workers,
            Epochs = job.Epochs,
            RunDirectory = job.RunDirectory,
            SettingsJson = job.SettingsJson,
            Error = stored.Error,
            SummaryJson = stored.SummaryJson,
            EvalMeanReturn = stored.EvalMeanReturn,
            State = stored.State switch
            {
                StoredJobState.Queued => JobState.Queued,
                StoredJobState.Running => JobState.Running,
                JobEnded.Finished => JobState.Finished,
                JobEnded.Cancelled => JobState.Cancelled,
                _ => JobState.Failed,
            },
        };
        if (stored.TestAccuracy is { } accuracy)
        {
            info.TestAccuracy = accuracy;
        }

        lock (_lock)
        {
            var entry = new Entry(info);
            _jobs[job.JobId] = entry;
            if (info.State is JobState.Finished or JobState.Failed or JobState.Cancelled)
            {
                entry.History.Add(new JobEvent { JobId = job.JobId, Ended = info.Clone() });
                entry.Ended = true;
            }
        }
    }

    public JobInfo? Get(string jobId)
    {
        lock (_lock)
        {
            return _jobs.TryGetValue(jobId, out var entry) ? entry.Info.Clone() : null;
        }
    }

    public IReadOnlyList<JobInfo> List()
    {
        lock (_lock)
        {
            return _jobs.Values.Select(e => e.Info.Clone()).ToArray();
        }
    }

    /// <summary>Folds one event from the job manager into the job's state and passes it to watchers.</summary>
    public void Apply(object message)
    {
        lock (_lock)
        {
            // An ended job stays as it ended: a late report (a worker of a job whose coordinator restarted, say)
            // must not rewrite its outcome or be recorded as a second end.
            if (JobIdOf(message) is { } id && _jobs.TryGetValue(id, out var known) && known.Ended)
            {
                return;
            }

            switch (message)
            {
                case JobProgressed p when _jobs.TryGetValue(p.JobId, out var entry):
                    entry.Info.State = JobState.Running;
                    entry.Info.Epoch = p.Epoch;
                    entry.Info.SamplesDone = p.SamplesDone;
                    entry.Info.SamplesTotal = p.SamplesTotal;
                    entry.Info.LastLoss = p.LastLoss;
                    Publish(entry, new JobEvent
                    {
                        JobId = p.JobId,
                        Progress = new Progress { Epoch = p.Epoch, Epochs = p.Epochs, Step = p.Step, StepsPerEpoch = p.StepsPerEpoch, SamplesDone = p.SamplesDone, SamplesTotal = p.SamplesTotal, Loss = p.LastLoss },
                    });
                    break;
                case EpochFinished e when _jobs.TryGetValue(e.JobId, out var entry):
                    entry.Info.TestAccuracy = e.Metrics.TestAccuracy;
                    Publish(entry, new JobEvent
                    {
                        JobId = e.JobId,
                        Epoch = new EpochResult { Epoch = e.Metrics.Epoch, TrainLoss = e.Metrics.TrainLoss, TestLoss = e.Metrics.TestLoss, TestAccuracy = e.Metrics.TestAccuracy, SamplesPerSecond = e.Metrics.SamplesPerSecond },
                    });
                    break;
                case JobFinished f when _jobs.TryGetValue(f.JobId, out var entry):
                    entry.Info.TestAccuracy = f.Summary.TestAccuracy;
                    entry.Info.SummaryJson = RunJson.Serialize(f.Summary);
                    End(entry, JobState.Finished, string.Empty);
                    break;
                case JobFailed f when _jobs.TryGetValue(f.JobId, out var entry):
                    End(entry, JobState.Failed, f.Reason);
                    break;
                case JobCancelled c when _jobs.TryGetValue(c.JobId, out var entry):
                    End(entry, JobState.Cancelled, string.Empty);
                    break;
            }
        }
    }

    public void FinishDqn(string jobId, double evalMeanReturn, string summaryJson)
    {
        lock (_lock)
        {
            if (_jobs.TryGetValue(jobId, out var entry))
            {
                entry.Info.EvalMeanReturn = evalMeanReturn;
                entry.Info.SummaryJson = summaryJson;
                End(entry, JobState.Finished, string.Empty);
            }
        }
    }

    /// <summary>The job's events so far, then live ones, ending with the job. Null for an unknown job.</summary>
    public ChannelReader<JobEvent>? Watch(string jobId)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(jobId, out var entry))
            {
                return null;
            }

            var channel = Channel.CreateUnbounded<JobEvent>(new UnboundedChannelOptions { SingleReader = true });
            foreach (var past in entry.History)
            {
                channel.Writer.TryWrite(past);
            }

            if (entry.Ended)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                entry.Watchers.Add(channel.Writer);
            }

            return channel.Reader;
        }
    }

    private void End(Entry entry, JobState state, string error)
    {
        entry.Info.State = state;
        entry.Info.Error = error;
        Publish(entry, new JobEvent { JobId = entry.Info.JobId, Ended = entry.Info.Clone() });
        entry.Ended = true;
        foreach (var watcher in entry.Watchers)
        {
            watcher.TryComplete();
        }

        entry.Watchers.Clear();
    }

    private void Publish(Entry entry, JobEvent @event)
    {
        // Progress comes every step: only the latest is kept for late watchers, so memory stays flat.
        if (@event.EventCase == JobEvent.EventOneofCase.Progress && entry.History.Count > 0 && entry.History[^1].EventCase == JobEvent.EventOneofCase.Progress)
        {
            entry.History[^1] = @event;
        }
        else
        {
            entry.History.Add(@event);
        }

        foreach (var watcher in entry.Watchers)
        {
            watcher.TryWrite(@event);
        }

        Published?.Invoke(@event);
    }

    private static string? JobIdOf(object message) => message switch
    {
        JobProgressed p => p.JobId,
        EpochFinished e => e.JobId,
        JobFinished f => f.JobId,
        JobFailed f => f.JobId,
        JobCancelled c => c.JobId,
        _ => null,
    };

    private sealed class Entry(JobInfo info)
    {
        public JobInfo Info { get; } = info;

        public List<JobEvent> History { get; } = [];

        public List<ChannelWriter<JobEvent>> Watchers { get; } = [];

        public bool Ended { get; set; }
    }
}
