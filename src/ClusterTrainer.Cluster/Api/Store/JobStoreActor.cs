using Akka.Actor;
using Akka.Persistence;

namespace ClusterTrainer.Cluster.Api.Store;

/// <summary>
/// The durable record of every job the API accepted (Akka.Persistence: an event per submission, start and end),
/// so a restarted coordinator gets its queue and its history back. The state is a fold of the events; a submission
/// is acknowledged only once it is written, so a job the API confirmed is never lost.
/// </summary>
public sealed class JobStoreActor : ReceivePersistentActor
{
    public const string Id = "clustertrainer-jobs";

    private readonly List<StoredJobState> _jobs = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public JobStoreActor()
    {
        Recover<JobSubmitted>(Apply);
        Recover<JobStarted>(Apply);
        Recover<JobEnded>(Apply);

        Command<JobSubmitted>(e => Persist(e, persisted =>
        {
            Apply(persisted);
            Sender.Tell(new JobRecorded(persisted.Job.JobId));
        }));
        Command<JobStarted>(e => Persist(e, Apply));
        Command<JobEnded>(e => Persist(e, Apply));
        Command<GetJobHistory>(_ => Sender.Tell(new JobHistory(_jobs.ToArray())));
    }

    public override string PersistenceId => Id;

    public static Props Props() => Akka.Actor.Props.Create(() => new JobStoreActor());

    private void Apply(JobSubmitted e)
    {
        if (_index.ContainsKey(e.Job.JobId))
        {
            return;
        }

        _index[e.Job.JobId] = _jobs.Count;
        _jobs.Add(new StoredJobState(e.Job, StoredJobState.Queued, string.Empty, string.Empty, null, 0));
    }

    private void Apply(JobStarted e)
    {
        if (_index.TryGetValue(e.JobId, out var i) && _jobs[i].State == StoredJobState.Queued)
        {
            _jobs[i] = _jobs[i] with { State = StoredJobState.Running };
        }
    }

    private void Apply(JobEnded e)
    {
        if (_index.TryGetValue(e.JobId, out var i))
        {
            _jobs[i] = _jobs[i] with { State = e.State, Error = e.Error, SummaryJson = e.SummaryJson, TestAccuracy = e.TestAccuracy, EvalMeanReturn = e.EvalMeanReturn };
        }
    }
}
