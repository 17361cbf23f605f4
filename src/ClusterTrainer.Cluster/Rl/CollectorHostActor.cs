using Akka.Actor;
using Serilog;

namespace ClusterTrainer.Cluster.Rl;

/// <summary>
/// Runs DQN collectors on a worker node for coordinators on other nodes, at /user/collectors. It receives
/// each job's weights once per node, in parts small enough for the remote frame, reassembles them and
/// hands the whole weights to the job's local collectors. It watches each job's coordinator: when the
/// job ends or its coordinator dies, the job's collectors are stopped, so none keeps running orphaned.
/// </summary>
public sealed class CollectorHostActor : ReceiveActor
{
    public const string Name = "collectors";

    private readonly ILogger _log;
    private readonly string _node;
    private readonly Dictionary<string, HostedJob> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _collectorJobs = [];
    private long _started;

    public CollectorHostActor(string node, ILogger log)
    {
        _node = node;
        _log = log;
        Receive<StartCollectors>(Start);
        Receive<PolicyWeightsPart>(Part);
        Receive<Terminated>(Stopped);
        Receive<GetCollectorHostStatus>(_ => Sender.Tell(new CollectorHostStatus(_node, [.. _jobs.Keys], _collectorJobs.Count, _started)));
    }

    public static Props Props(string node, ILogger log) => Akka.Actor.Props.Create(() => new CollectorHostActor(node, log));

    /// <summary>A collector that throws is stopped, not restarted from scratch: its coordinator sees it stop and fails the job.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    private void Start(StartCollectors m)
    {
        string? refusal = null;
        if (_jobs.TryGetValue(m.JobId, out var hosted))
        {
            // More collectors of a job this node runs (moved here from a lost node): they start with the next weights.
            if (!hosted.Request.Coordinator.Equals(m.Coordinator) || m.Collectors.Any(i => i < 0 || i >= m.Settings.Collectors))
            {
                refusal = "this node already runs collectors of this job for another coordinator, or the collectors are not the job's";
            }
            else
            {
                foreach (var index in m.Collectors)
                {
                    hosted.StepsDone[index] = m.StepsDoneBy(index);
                }

                if (hosted.Latest is { } latest)
                {
                    _log.Information("Job {JobId}: collectors {Collectors} moved to node {Node} start with weights version {Version}", m.JobId, m.Collectors, _node, latest.Version);
                    Launch(hosted, m.Collectors, latest);
                }
                else
                {
                    hosted.Added.AddRange(m.Collectors);
                }

                return;
            }
        }
        else
        {
            try
            {
                m.Settings.Validate();
                if (m.Collectors.Length == 0 || m.Collectors.Any(i => i < 0 || i >= m.Settings.Collectors))
                {
                    refusal = $"collectors [{string.Join(", ", m.Collectors)}] are not within the job's {m.Settings.Collectors}";
                }
            }
            catch (ArgumentException error)
            {
                refusal = error.Message;
            }
        }

        if (refusal is not null)
        {
            _log.Warning("Refused collectors {Collectors} of job {JobId}: {Reason}", m.Collectors, m.JobId, refusal);
            Sender.Tell(new CollectorsRefused(m.JobId, _node, refusal));
            return;
        }

        Context.Watch(m.Coordinator);
        var job = new HostedJob(m);
        foreach (var index in m.Collectors)
        {
            job.StepsDone[index] = m.StepsDoneBy(index);
        }

        _jobs[m.JobId] = job;
        _log.Debug("Job {JobId}: collectors {Collectors} wait for their initial weights", m.JobId, m.Collectors);
    }

    private void Part(PolicyWeightsPart part)
    {
        if (!_jobs.TryGetValue(part.JobId, out var job))
        {
            // Late weights of a job that has ended here.
            return;
        }

        PolicyWeights? whole;
        try
        {
            whole = job.Weights.Add(part);
        }
        catch (ArgumentException error)
        {
            _log.Error("Job {JobId}: dropped a malformed weights part: {Reason}", part.JobId, error.Message);
            return;
        }

        if (whole is null)
        {
            return;
        }

        job.Latest = whole;

        if (job.Started)
        {
            foreach (var collector in job.Collectors)
            {
                collector.Tell(whole);
            }

            if (job.Added.Count > 0)
            {
                var added = job.Added.ToArray();
                job.Added.Clear();
                Launch(job, added, whole);
            }

            return;
        }

        StartCollectors(job, whole);
    }

    private void StartCollectors(HostedJob job, PolicyWeights initial)
    {
        job.Started = true;
        Launch(job, [.. job.Request.Collectors, .. job.Added], initial);
        job.Added.Clear();
    }

    private void Launch(HostedJob job, int[] indices, PolicyWeights initial)
    {
        var request = job.Request;
        var launched = new List<IActorRef>();
        foreach (var index in indices)
        {
            var log = _log.ForContext("JobId", request.JobId).ForContext("Collector", index);
            var collector = Context.ActorOf(
                CollectorActor.Props(new CollectorSetup(index, request.Settings, initial.Values, job.StepsDone.GetValueOrDefault(index)), request.Replay, request.Coordinator, log),
                $"collector-{index}-{++_started}");
            Context.Watch(collector);
            if (initial.Version > 0)
            {
                // A collector moved here later: the whole weights also tell it their version, which it reports.
                collector.Tell(initial);
            }

            job.Collectors.Add(collector);
            launched.Add(collector);
            _collectorJobs[collector] = request.JobId;
            _log.Information("Job {JobId}: collector {Collector} started on node {Node} for coordinator {Coordinator}", request.JobId, index, _node, request.Coordinator.Path.ToString());
        }

        request.Coordinator.Tell(new CollectorsStarted(request.JobId, _node, indices, [.. launched]));
    }

    private void Stopped(Terminated m)
    {
        if (_collectorJobs.Remove(m.ActorRef, out var jobId))
        {
            if (_jobs.TryGetValue(jobId, out var owner))
            {
                owner.Collectors.Remove(m.ActorRef);
            }

            return;
        }

        foreach (var job in _jobs.Values.Where(j => j.Request.Coordinator.Equals(m.ActorRef)).ToArray())
        {
            // The job ended (its coordinator stops with it) or the coordinator's node died: nobody wants this experience.
            _log.Information("Job {JobId}: its coordinator stopped; stopping its {Count} collectors on node {Node}", job.Request.JobId, job.Collectors.Count, _node);
            foreach (var collector in job.Collectors)
            {
                Context.Unwatch(collector);
                _collectorJobs.Remove(collector);
                Context.Stop(collector);
            }

            _jobs.Remove(job.Request.JobId);
        }
    }

    private sealed class HostedJob(StartCollectors request)
    {
        public StartCollectors Request { get; } = request;

        public WeightsAssembler Weights { get; } = new();

        public List<IActorRef> Collectors { get; } = [];

        public bool Started { get; set; }

        /// <summary>The newest whole weights: what collectors moved here start with.</summary>
        public PolicyWeights? Latest { get; set; }

        /// <summary>Per collector, the steps of its quota collected on a lost node before it moved here.</summary>
        public Dictionary<int, long> StepsDone { get; } = [];

        /// <summary>Collectors added before any weights arrived, waiting for the first whole weights.</summary>
        public List<int> Added { get; } = [];
    }
}
