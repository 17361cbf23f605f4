using Akka.Actor;
using Akka.Cluster;
using ClusterTrainer.Cluster.Nodes;
using ClusterTrainer.Cluster.Serialization;
using ClusterTrainer.Cluster.Shards;
using ClusterTrainer.Core;
using ClusterTrainer.Data;
using Serilog;

namespace ClusterTrainer.Cluster.Coordination;

/// <summary>
/// The cluster's single coordinator (a ClusterSingleton on role `coordinator`): it admits worker nodes,
/// queues jobs, and runs each job with a <see cref="CoordinatorActor"/> over the registered workers once
/// enough of them are free. Data shards run here, on the coordinator node, which loads the job's data.
/// </summary>
public sealed class JobManagerActor : ReceiveActor, IWithTimers
{
    private readonly ILogger _log;
    private readonly JobManagerOptions _options;
    private readonly SortedDictionary<string, IActorRef> _workers = new(StringComparer.Ordinal);
    private readonly LinkedList<Queued> _queue = new();
    private RunningJob? _running;

    public JobManagerActor(ILogger log, JobManagerOptions options)
    {
        _log = log;
        _options = options;

        Receive<RegisterWorker>(Register);
        Receive<SubmitTrainingJob>(Submit);
        Receive<CancelJob>(Cancel);
        Receive<GetClusterWorkers>(_ => Sender.Tell(new ClusterWorkers(_workers.Keys.ToArray(), _running?.Nodes ?? [], _running?.JobId, _queue.Count)));
        Receive<ClusterEvent.UnreachableMember>(m => Lose(m.Member.Address, "became unreachable"));
        Receive<ClusterEvent.MemberRemoved>(m => Lose(m.Member.Address, "left the cluster"));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<DataLoaded>(Launch);
        Receive<DataFailed>(m =>
        {
            m.Submitter.Tell(new JobFailed(m.JobId, m.Reason));
            _running = null;
            TryStartNext();
        });
        Receive<WaitExpired>(Expire);
        Receive<JobProgressed>(m => Forward(m.JobId, m));
        Receive<EpochFinished>(m => Forward(m.JobId, m));
        Receive<JobFinished>(m => Finish(m.JobId, m));
        Receive<JobFailed>(m => Finish(m.JobId, m));
        Receive<JobCancelled>(m => Finish(m.JobId, m));
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

        if (_workers.TryAdd(node, request.Worker))
        {
            _log.Information("Worker {Node} registered; {Workers} workers available", node, _workers.Count);
        }

        Sender.Tell(new WorkerRegistered(Self.Path.ToString()));
        TryStartNext();
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

        _queue.AddLast(new Queued(request, Sender));
        Sender.Tell(new JobAccepted(request.JobId, _queue.Count));
        Timers.StartSingleTimer(("wait", request.JobId), new WaitExpired(request.JobId), _options.WorkerWait);
        _log.Information("Job {JobId} queued at position {Position}: needs {Workers} workers", request.JobId, _queue.Count, request.Settings.Workers);
        TryStartNext();
    }

    private void TryStartNext()
    {
        if (_running is not null || _queue.First is not { } head || _workers.Count < head.Value.Request.Settings.Workers)
        {
            return;
        }

        _queue.RemoveFirst();
        var (request, submitter) = head.Value;
        Timers.Cancel(("wait", request.JobId));
        var workers = _workers.Take(request.Settings.Workers).ToArray();
        _running = new RunningJob(request.JobId, submitter, workers.Select(w => w.Key).ToArray(), workers.Select(w => w.Value).ToArray());
        var settings = request.Settings;
        Task.Run(() =>
        {
            var data = new DataLocator().Load(settings.Data, settings.Seed);
            return ClassCount.RequireAtMost(settings.Limit is { } limit ? data with { Train = data.Train.Take(limit) } : data, settings.MaxClasses);
        }).PipeTo(Self, success: data => new DataLoaded(request, data), failure: error => new DataFailed(request.JobId, submitter, error.GetBaseException().Message));
    }

    private void Launch(DataLoaded loaded)
    {
        var running = _running!;
        var (request, data) = (loaded.Request, loaded.Data);
        var shardMap = new ShardMap(data.Train.Count, request.Settings.Shards);
        var shards = Enumerable.Range(0, request.Settings.Shards).Select(s =>
        {
            var (start, count) = shardMap.Range(s);
            return Context.ActorOf(DataShardActor.Props(data.Train, start, count), $"{request.JobId}-shard-{s}");
        }).ToArray();
        var testShard = Context.ActorOf(DataShardActor.Props(data.Test, 0, data.Test.Count), $"{request.JobId}-test-shard");
        var job = new TrainingJob(request.JobId, request.Settings, data, request.OutputDirectory);
        running.Coordinator = Context.ActorOf(CoordinatorActor.Props(job, running.Workers, shards, testShard, Self, _log, _options.Coordinator), $"{request.JobId}-coordinator");
        running.Children = [.. shards, testShard, running.Coordinator];
    }

    private void Cancel(CancelJob request)
    {
        if (_running?.JobId == request.JobId && _running.Coordinator is { } coordinator)
        {
            coordinator.Forward(request);
            return;
        }

        var queued = _queue.FirstOrDefault(q => q.Request.JobId == request.JobId);
        if (queued is not null)
        {
            _queue.Remove(queued);
            Timers.Cancel(("wait", request.JobId));
            queued.Submitter.Tell(new JobCancelled(request.JobId));
        }
    }

    private void Expire(WaitExpired expired)
    {
        var queued = _queue.FirstOrDefault(q => q.Request.JobId == expired.JobId);
        if (queued is null)
        {
            return;
        }

        _queue.Remove(queued);
        queued.Submitter.Tell(new JobFailed(expired.JobId,
            $"the job needs {queued.Request.Settings.Workers} workers but {_workers.Count} registered within {_options.WorkerWait.TotalSeconds:0} s; start more worker nodes or ask for fewer workers"));
    }

    private void Lose(Address address, string what)
    {
        var node = address.ToString();
        if (!_workers.Remove(node))
        {
            return;
        }

        _log.Warning("Worker {Node} {What}; {Workers} workers available", node, what, _workers.Count);
        if (_running is { Coordinator: { } coordinator } running && Array.IndexOf(running.Nodes, node) is var rank and >= 0)
        {
            coordinator.Tell(new WorkerLost(rank, node, what));
        }
    }

    private void Forward(string jobId, object message)
    {
        if (_running?.JobId == jobId)
        {
            _running.Submitter.Tell(message);
        }
    }

    private void Finish(string jobId, object message)
    {
        if (_running?.JobId != jobId)
        {
            return;
        }

        _running.Submitter.Tell(message);
        foreach (var child in _running.Children)
        {
            Context.Stop(child);
        }

        _running = null;
        TryStartNext();
    }

    private sealed record Queued(SubmitTrainingJob Request, IActorRef Submitter);

    private sealed class RunningJob(string jobId, IActorRef submitter, string[] nodes, IActorRef[] workers)
    {
        public string JobId { get; } = jobId;

        public IActorRef Submitter { get; } = submitter;

        public string[] Nodes { get; } = nodes;

        public IActorRef[] Workers { get; } = workers;

        public IActorRef? Coordinator { get; set; }

        public IActorRef[] Children { get; set; } = [];
    }

    private sealed record DataLoaded(SubmitTrainingJob Request, DataSplit Data) : INoSerializationVerificationNeeded;

    private sealed record DataFailed(string JobId, IActorRef Submitter, string Reason) : INoSerializationVerificationNeeded;

    private sealed record WaitExpired(string JobId) : INoSerializationVerificationNeeded;
}

/// <summary>How long a queued job waits for workers, and the timeouts its coordinator uses.</summary>
public sealed record JobManagerOptions(TimeSpan WorkerWait, CoordinatorTimeouts Coordinator)
{
    public static readonly JobManagerOptions Default = new(TimeSpan.FromSeconds(120), CoordinatorTimeouts.Default);
}
