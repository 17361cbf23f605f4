using Akka.Actor;
using Akka.Cluster;
using ClusterTrainer.Cluster.Nodes;
using ClusterTrainer.Cluster.Serialization;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Checkpoints;
using ClusterTrainer.Core.Scheduling;
using ClusterTrainer.Data;
using Serilog;

namespace ClusterTrainer.Cluster.Coordination;

/// <summary>
/// The cluster's single coordinator (a ClusterSingleton on role `coordinator`): it admits worker nodes, queues every
/// job (supervised and DQN), and runs several at once on disjoint workers as <see cref="SchedulingPolicy"/> decides.
/// Each supervised job gets its own <see cref="CoordinatorActor"/> and data shards, here on the coordinator node,
/// which loads the job's data; a DQN job gets its worker nodes reserved for its own actors.
/// </summary>
public sealed class JobManagerActor : ReceiveActor, IWithTimers
{
    private readonly ILogger _log;
    private readonly JobManagerOptions _options;
    private readonly SortedDictionary<string, IActorRef> _workers = new(StringComparer.Ordinal);
    private readonly List<QueuedJob> _queue = [];
    private readonly Dictionary<string, ActiveJob> _running = new(StringComparer.Ordinal);
    private HashSet<string> _unsatisfiable = new(StringComparer.Ordinal);

    public JobManagerActor(ILogger log, JobManagerOptions options)
    {
        _log = log;
        _options = options;

        Receive<RegisterWorker>(Register);
        Receive<SubmitTrainingJob>(Submit);
        Receive<ReserveWorkers>(Reserve);
        Receive<ReleaseWorkers>(m => End(m.JobId, null));
        Receive<CancelJob>(Cancel);
        Receive<GetClusterWorkers>(_ => Sender.Tell(Describe()));
        Receive<ClusterEvent.UnreachableMember>(m => Lose(m.Member.Address, "became unreachable"));
        Receive<ClusterEvent.MemberRemoved>(m => Lose(m.Member.Address, "left the cluster"));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<DataLoaded>(Launch);
        Receive<DataFailed>(m => End(m.JobId, new JobFailed(m.JobId, m.Reason)));
        Receive<WaitExpired>(Expire);
        Receive<ReplacementsExpired>(ReplacementsExpiredReceived);
        Receive<JobProgressed>(Progressed);
        Receive<EpochFinished>(m => Forward(m.JobId, m));
        Receive<JobFinished>(m => End(m.JobId, m));
        Receive<JobFailed>(m => End(m.JobId, m));
        Receive<JobCancelled>(m => End(m.JobId, m));
        Receive<JobInterrupted>(Restart);
        Receive<Terminated>(ReservationHolderStopped);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ILogger log, JobManagerOptions options) =>
        Akka.Actor.Props.Create(() => new JobManagerActor(log, options));

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.UnreachableMember));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void Register(RegisterWorker request)
    {
        var node = request.Worker.Path.Address.ToString();
        if (request.ProtocolVersion != ProtocolVersion.Current)
        {
            var reason = $"worker node {node} speaks protocol version {request.ProtocolVersion}, the coordinator speaks version {ProtocolVersion.Current}: run the same ClusterTrainer version on every node";
            _log.Error("Refused worker {Node}: {Reason}", node, reason);
            Sender.Tell(new WorkerRefused(reason));
            return;
        }

        var added = _workers.TryAdd(node, request.Worker);
        if (added)
        {
            _log.Information("Worker {Node} registered; {Workers} workers available", node, _workers.Count);
        }

        Sender.Tell(new WorkerRegistered(Self.Path.ToString()));
        if (added && OfferToRunningJob(node, request.Worker))
        {
            return;
        }

        Schedule();
    }

    /// <summary>
    /// A new worker goes first to a running supervised job below its ceiling (--max-workers, by default its requested
    /// workers: so a lost worker's replacement rejoins the job it fell out of), oldest job first; a job waiting below
    /// --min-workers to start again counts as running.
    /// </summary>
    private bool OfferToRunningJob(string node, IActorRef worker)
    {
        var job = _running.Values
            .Where(r => (r.Coordinator is not null || r.ShortOfWorkers is not null) && r.Queued.Training is { } training && r.Nodes.Length < training.Settings.WorkerCeiling)
            .OrderBy(r => r.StartedAt)
            .FirstOrDefault();
        if (job is null)
        {
            return false;
        }

        job.Nodes = [.. job.Nodes, node];
        _log.Information("Worker {Node} joins running job {JobId} ({Workers} of at most {Ceiling} workers)", node, job.JobId, job.Nodes.Length, job.Queued.Training!.Settings.WorkerCeiling);
        if (job.Coordinator is { } coordinator)
        {
            coordinator.Tell(new WorkerJoined(worker, node));
        }
        else if (job.Nodes.Length >= job.Queued.Training!.Settings.MinWorkers)
        {
            Timers.Cancel(("replacements", job.JobId));
            var loaded = job.ShortOfWorkers!;
            job.ShortOfWorkers = null;
            Launch(loaded);
        }

        return true;
    }

    private void Submit(SubmitTrainingJob request)
    {
        try
        {
            request.Settings.Validate();
        }
        catch (SettingsException error)
        {
            Sender.Tell(new JobFailed(request.JobId, error.Message));
            return;
        }

        Enqueue(new QueuedJob(request.JobId, request.Settings.Workers, request, Sender));
    }

    private void Reserve(ReserveWorkers request)
    {
        if (request.Workers < 1)
        {
            Sender.Tell(new JobFailed(request.JobId, $"a job needs at least 1 worker node, not {request.Workers}"));
            return;
        }

        // The holder of a reservation runs the job's actors: if it stops, the nodes must not stay reserved.
        Context.Watch(Sender);
        Enqueue(new QueuedJob(request.JobId, request.Workers, null, Sender));
    }

    private void Enqueue(QueuedJob job)
    {
        _queue.Add(job);
        Sender.Tell(new JobAccepted(job.JobId, _queue.Count));
        _log.Information("Job {JobId} queued at position {Position}: needs {Workers} workers", job.JobId, _queue.Count, job.Workers);
        Schedule();
    }

    /// <summary>Asks the policy what starts now, and keeps a wait timer on exactly the jobs no registered set of workers could run.</summary>
    private void Schedule()
    {
        var decision = SchedulingPolicy.Decide(new SchedulingState(
            _workers.Keys.ToArray(),
            _running.Values.Select(r => new AllocatedJob(r.JobId, r.Nodes, r.Remaining)).ToArray(),
            _queue.Select(q => new WaitingJob(q.JobId, q.Workers, q.Bypassed)).ToArray()));

        var unsatisfiable = new HashSet<string>(decision.Unsatisfiable, StringComparer.Ordinal);
        foreach (var jobId in unsatisfiable.Except(_unsatisfiable))
        {
            // The wait bound counts from when the job became impossible, not from its submission: a job waiting
            // for busy workers waits as long as they are busy.
            Timers.StartSingleTimer(("wait", jobId), new WaitExpired(jobId), _options.WorkerWait);
            _log.Warning("Job {JobId} needs more workers than the {Workers} registered; it fails unless enough register within {Seconds} s", jobId, _workers.Count, _options.WorkerWait.TotalSeconds);
        }

        foreach (var jobId in _unsatisfiable.Except(unsatisfiable))
        {
            Timers.Cancel(("wait", jobId));
        }

        _unsatisfiable = unsatisfiable;
        foreach (var start in decision.Starts)
        {
            var queued = _queue.Single(q => q.JobId == start.JobId);
            if (start.Backfilled)
            {
                _queue.Single(q => q.JobId == decision.BlockedHead).Bypassed++;
            }

            Start(queued, start.Workers, start.Backfilled);
        }
    }

    private void Start(QueuedJob queued, IReadOnlyList<string> nodes, bool backfilled)
    {
        _queue.Remove(queued);
        var active = new ActiveJob(queued, nodes.ToArray());
        _running.Add(queued.JobId, active);
        _log.Information("Job {JobId} starts on {Workers} workers {Nodes} (backfilled: {Backfilled}); {Queued} jobs wait", queued.JobId, nodes.Count, nodes, backfilled, _queue.Count);
        if (queued.Training is not { } request)
        {
            queued.Submitter.Tell(new WorkersReserved(queued.JobId, active.Nodes));
            return;
        }

        Load(request, request.Resume, loaded: null);
    }

    /// <summary>Loads the job's data (unless <paramref name="loaded"/> already holds it) and, to resume, its newest checkpoint, off the actor's thread.</summary>
    private void Load(SubmitTrainingJob request, bool resume, DataSplit? loaded)
    {
        var settings = request.Settings;
        Task.Run(() =>
        {
            var data = loaded ?? LoadData(settings);
            var checkpoint = resume
                ? new CheckpointStore(request.OutputDirectory).LoadLatest(settings, skipped => _log.Warning("Job {JobId}: {Problem}", request.JobId, skipped.Message))
                : null;
            return (Data: data, Checkpoint: checkpoint);
        }).PipeTo(Self, success: result => new DataLoaded(request.JobId, result.Data, result.Checkpoint), failure: error => new DataFailed(request.JobId, error.GetBaseException().Message));
    }

    private static DataSplit LoadData(TrainingSettings settings)
    {
        var data = new DataLocator().Load(settings.Data, settings.Seed);
        return ClassCount.RequireAtMost(settings.Limit is { } limit ? data with { Train = data.Train.Take(limit) } : data, settings.MaxClasses);
    }

    /// <summary>
    /// A worker of the job was lost where its survivors could not regroup in place (see <see cref="JobInterrupted"/>): the
    /// job keeps its surviving nodes (and any that registered to join it) and starts again on them from its newest
    /// checkpoint, or from the beginning when it has none yet, with new shard and coordinator actors.
    /// </summary>
    private void Restart(JobInterrupted interrupted)
    {
        if (!_running.TryGetValue(interrupted.JobId, out var running) || running.Queued.Training is not { } request || !Sender.Equals(running.Coordinator))
        {
            return;
        }

        StopChildren(running);
        running.Coordinator = null;
        running.Attempt++;
        // Usually gone already (the coordinator learns of a loss from this actor), and never taken back for this start.
        running.Nodes = [.. running.Nodes.Where(n => n != interrupted.Node)];
        var resume = request.Resume || new CheckpointStore(request.OutputDirectory).HasCheckpoints;
        running.RestartedAfter = new MembershipChange(0, interrupted.Node, "lost", $"{interrupted.Reason} while the job was {interrupted.State}", running.Nodes.Length, 0);
        running.LastLoss = $"worker node {interrupted.Node} {interrupted.Reason} while the job was {interrupted.State}";
        _log.Warning("Job {JobId} starts again (attempt {Attempt}) on {Workers} workers {Nodes} from {From}: worker node {Node} {Reason} while the job was {State}",
            request.JobId, running.Attempt + 1, running.Nodes.Length, running.Nodes, resume ? "its newest checkpoint" : "the beginning", interrupted.Node, interrupted.Reason, interrupted.State);
        Load(request, resume, running.Data);
    }

    private void Launch(DataLoaded loaded)
    {
        if (!_running.TryGetValue(loaded.JobId, out var running) || running.Queued.Training is not { } request)
        {
            return;
        }

        if (running.CancelRequested)
        {
            End(loaded.JobId, new JobCancelled(loaded.JobId));
            return;
        }

        running.Data = loaded.Data;
        if (running.Nodes.Length < request.Settings.MinWorkers)
        {
            WaitForReplacements(running, loaded);
            return;
        }

        // A restarted job's new actors must not wait for the old ones' names to be freed.
        var suffix = running.Attempt == 0 ? string.Empty : $"-r{running.Attempt}";
        var job = new TrainingJob(request.JobId, request.Settings, loaded.Data, request.OutputDirectory) { Resume = loaded.Checkpoint, RestartedAfter = running.RestartedAfter };
        var workers = running.Nodes.Select(n => _workers[n]).ToArray();
        var actors = TrainingJobActors.Launch(Context, job, workers, Self, _log, _options.Coordinator, suffix);
        running.Coordinator = actors.Coordinator;
        running.Children = [.. actors.All];
    }

    /// <summary>
    /// Fewer worker nodes than --min-workers left before a (new) start: the job keeps its loaded data and checkpoint,
    /// takes free registered nodes first, then new ones as they register (see <see cref="OfferToRunningJob"/>), and
    /// fails after the coordinator's replacement wait, as a job below --min-workers does while training.
    /// </summary>
    private void WaitForReplacements(ActiveJob running, DataLoaded loaded)
    {
        var settings = running.Queued.Training!.Settings;
        var busy = _running.Values.SelectMany(r => r.Nodes).ToHashSet(StringComparer.Ordinal);
        var free = _workers.Keys.Where(n => !busy.Contains(n) && n != running.RestartedAfter?.Worker).Take(settings.WorkerCeiling - running.Nodes.Length).ToArray();
        running.Nodes = [.. running.Nodes, .. free];
        if (running.Nodes.Length >= settings.MinWorkers)
        {
            Launch(loaded);
            return;
        }

        running.ShortOfWorkers = loaded;
        var wait = _options.Coordinator.ReplacementWait;
        Timers.StartSingleTimer(("replacements", running.JobId), new ReplacementsExpired(running.JobId), wait);
        _log.Warning("Job {JobId}: {Loss}; {Workers} workers left, below --min-workers {MinWorkers}: waiting up to {Seconds} s for worker nodes to join before it starts again",
            running.JobId, running.LastLoss, running.Nodes.Length, settings.MinWorkers, wait.TotalSeconds);
    }

    private void ReplacementsExpiredReceived(ReplacementsExpired expired)
    {
        if (_running.TryGetValue(expired.JobId, out var running) && running.ShortOfWorkers is not null)
        {
            End(expired.JobId, new JobFailed(expired.JobId,
                NoReplacement.Message(running.LastLoss, running.Nodes.Length, running.Queued.Training!.Settings.MinWorkers, _options.Coordinator.ReplacementWait)));
        }
    }

    private void Cancel(CancelJob request)
    {
        if (_running.TryGetValue(request.JobId, out var running))
        {
            if (running.Coordinator is { } coordinator)
            {
                coordinator.Forward(request);
            }
            else if (running.ShortOfWorkers is not null)
            {
                End(request.JobId, new JobCancelled(request.JobId));
            }
            else
            {
                // Still loading its data (a reserved job is cancelled by whoever holds it).
                running.CancelRequested = true;
            }

            return;
        }

        var queued = _queue.FirstOrDefault(q => q.JobId == request.JobId);
        if (queued is not null)
        {
            _queue.Remove(queued);
            Timers.Cancel(("wait", request.JobId));
            _unsatisfiable.Remove(request.JobId);
            queued.Submitter.Tell(new JobCancelled(request.JobId));
            Schedule();
        }
    }

    private void Expire(WaitExpired expired)
    {
        var queued = _queue.FirstOrDefault(q => q.JobId == expired.JobId);
        if (queued is null || !_unsatisfiable.Remove(expired.JobId))
        {
            return;
        }

        _queue.Remove(queued);
        queued.Submitter.Tell(new JobFailed(expired.JobId,
            $"the job needs {queued.Workers} workers but only {_workers.Count} have been registered for {_options.WorkerWait.TotalSeconds:0} s; start more worker nodes or ask for fewer workers"));
        Schedule();
    }

    private void Lose(Address address, string what)
    {
        var node = address.ToString();
        if (!_workers.Remove(node))
        {
            return;
        }

        _log.Warning("Worker {Node} {What}; {Workers} workers available", node, what, _workers.Count);
        // Only the job that used the node is affected; a DQN job's own coordinator watches its collectors' nodes.
        foreach (var running in _running.Values.Where(r => r.Queued.Training is not null && r.Nodes.Contains(node)).ToArray())
        {
            if (running.Coordinator is { } coordinator)
            {
                coordinator.Tell(new WorkerLost(Array.IndexOf(running.Nodes, node), node, what));
                running.Nodes = [.. running.Nodes.Where(n => n != node)];
            }
            else
            {
                // Still loading its data, or waiting for replacements: it starts on the nodes it has left once they
                // are enough (see WaitForReplacements).
                running.Nodes = [.. running.Nodes.Where(n => n != node)];
                running.LastLoss = $"worker node {node} {what} before the job started training";
            }
        }

        Schedule();
    }

    private void Progressed(JobProgressed progress)
    {
        if (!_running.TryGetValue(progress.JobId, out var running))
        {
            return;
        }

        var hadEstimate = running.Remaining is not null;
        running.Fraction = progress.SamplesTotal > 0 ? (double)progress.SamplesDone / progress.SamplesTotal : 0;
        if (running.Queued.Training is not null)
        {
            running.Queued.Submitter.Tell(progress);
        }

        // A job's first estimate may make room for backfill (the policy backfills only when every running job has one).
        if (!hadEstimate && running.Remaining is not null && _queue.Count > 0)
        {
            Schedule();
        }
    }

    private void Forward(string jobId, object message)
    {
        if (_running.TryGetValue(jobId, out var running))
        {
            running.Queued.Submitter.Tell(message);
        }
    }

    /// <summary>The job ended (or gave its workers back: <paramref name="message"/> null): its workers are free.</summary>
    private void End(string jobId, object? message)
    {
        if (!_running.Remove(jobId, out var running))
        {
            return;
        }

        if (message is not null)
        {
            running.Queued.Submitter.Tell(message);
        }

        StopChildren(running);

        _log.Information("Job {JobId} gave back workers {Nodes}", jobId, running.Nodes);
        Schedule();
    }

    /// <summary>Stops a job's coordinator and shard actors (a reserved DQN job has none here).</summary>
    private static void StopChildren(ActiveJob running)
    {
        foreach (var child in running.Children)
        {
            Context.Stop(child);
        }

        running.Children = [];
    }

    private void ReservationHolderStopped(Terminated terminated)
    {
        foreach (var queued in _queue.Where(q => q.Training is null && q.Submitter.Equals(terminated.ActorRef)).ToArray())
        {
            _queue.Remove(queued);
            Timers.Cancel(("wait", queued.JobId));
            _unsatisfiable.Remove(queued.JobId);
        }

        foreach (var running in _running.Values.Where(r => r.Queued.Training is null && r.Queued.Submitter.Equals(terminated.ActorRef)).ToArray())
        {
            End(running.JobId, null);
        }

        Schedule();
    }

    private ClusterWorkers Describe()
    {
        var nodeJobs = _workers.Keys.Select(n => _running.Values.FirstOrDefault(r => r.Nodes.Contains(n))?.JobId ?? string.Empty).ToArray();
        return new ClusterWorkers(_workers.Keys.ToArray(), nodeJobs, _running.Keys.Order(StringComparer.Ordinal).ToArray(), _queue.Select(q => q.JobId).ToArray());
    }

    /// <summary>A waiting job: a supervised one (<see cref="Training"/>) or a reservation (null).</summary>
    private sealed class QueuedJob(string jobId, int workers, SubmitTrainingJob? training, IActorRef submitter)
    {
        public string JobId { get; } = jobId;

        public int Workers { get; } = workers;

        public SubmitTrainingJob? Training { get; } = training;

        public IActorRef Submitter { get; } = submitter;

        public int Bypassed { get; set; }
    }

    private sealed class ActiveJob(QueuedJob queued, string[] nodes)
    {
        private readonly System.Diagnostics.Stopwatch _elapsed = System.Diagnostics.Stopwatch.StartNew();

        public DateTime StartedAt { get; } = DateTime.UtcNow;

        public QueuedJob Queued { get; } = queued;

        public string JobId => Queued.JobId;

        /// <summary>Its worker nodes; a lost one is removed (the job goes on without it, or ends).</summary>
        public string[] Nodes { get; set; } = nodes;

        /// <summary>Its data, once loaded: a restart reuses it.</summary>
        public DataSplit? Data { get; set; }

        /// <summary>How many times it started again after a lost worker (0: the first start).</summary>
        public int Attempt { get; set; }

        /// <summary>The loss that made it start again, for its summary; null on its first start.</summary>
        public MembershipChange? RestartedAfter { get; set; }

        public IActorRef? Coordinator { get; set; }

        public IActorRef[] Children { get; set; } = [];

        public bool CancelRequested { get; set; }

        /// <summary>Its loaded data and checkpoint while it waits, below --min-workers, for nodes to start again on; else null.</summary>
        public DataLoaded? ShortOfWorkers { get; set; }

        /// <summary>The last loss of one of its nodes, in words, for the message if it fails below --min-workers.</summary>
        public string LastLoss { get; set; } = "a worker node was lost";

        /// <summary>The share of its work done, from its last progress report.</summary>
        public double Fraction { get; set; }

        /// <summary>Its remaining time at the pace so far; null before any progress.</summary>
        public TimeSpan? Remaining => Fraction is > 0 and <= 1 ? _elapsed.Elapsed * ((1 - Fraction) / Fraction) : null;
    }

    private sealed record DataLoaded(string JobId, DataSplit Data, Checkpoint? Checkpoint) : INoSerializationVerificationNeeded;

    private sealed record DataFailed(string JobId, string Reason) : INoSerializationVerificationNeeded;

    private sealed record WaitExpired(string JobId) : INoSerializationVerificationNeeded;

    private sealed record ReplacementsExpired(string JobId) : INoSerializationVerificationNeeded;
}

/// <summary>
/// How long a queued job that asks for more workers than are registered waits for more to register (a job waiting for
/// busy workers waits without limit), and the timeouts its coordinator uses.
/// </summary>
public sealed record JobManagerOptions(TimeSpan WorkerWait, CoordinatorTimeouts Coordinator)
{
    public static readonly JobManagerOptions Default = new(TimeSpan.FromSeconds(120), CoordinatorTimeouts.Default);
}
