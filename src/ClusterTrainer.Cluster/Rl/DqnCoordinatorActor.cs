using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using ClusterTrainer.Core;
using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Environments;
using Serilog;

namespace ClusterTrainer.Cluster.Rl;

/// <summary>
/// Runs one DQN job: starts the replay, the learner and the evaluator as its children and the collectors
/// either as children too (<see cref="DqnPlacement.InProcess"/>) or on the cluster's worker nodes
/// (<see cref="DqnPlacement.WorkerNodes"/>, through each node's <see cref="CollectorHostActor"/>), counts
/// steps and episodes, has the policy evaluated greedily every EvalInterval steps and keeps the best
/// weights so far, and when the learner is done evaluates them on fresh seeds and reports. A child or
/// remote collector that stops, a worker node that leaves or becomes unreachable, a failure, or no
/// progress within the stall timeout ends the run with a reason.
/// </summary>
public sealed class DqnCoordinatorActor : ReceiveActor, IWithTimers
{
    private const long FinalCandidateRequest = -1;
    private const long FinalRequest = -2;

    /// <summary>How long worker nodes' collector hosts get, in all, to answer and to start the collectors.</summary>
    public static readonly TimeSpan RemoteTimeout = TimeSpan.FromSeconds(20);

    /// <summary>How long a job on a cluster without a worker node that is up waits for one before it fails.</summary>
    public static readonly TimeSpan WorkerWaitTimeout = TimeSpan.FromSeconds(15);

    private readonly DqnSettings _settings;
    private readonly string _jobId;
    private readonly DqnPlacement _placement;
    private readonly IActorRef _listener;
    private readonly ILogger _log;
    private readonly TimeSpan _stallTimeout;
    private readonly EnvironmentSpec _spec;
    private readonly SolvedDetector _solved;
    private readonly Stopwatch _clock = new();
    private readonly List<(long, double)> _episodes = [];
    private readonly List<DqnEvaluationRow> _evaluations = [];
    private readonly Dictionary<long, (float[] Weights, DqnEvaluationRow Row)> _pendingEvaluations = [];
    private readonly long[] _collectorSteps;
    private readonly string[] _collectorNodes;
    private readonly Dictionary<IActorRef, int> _remoteCollectors = [];
    private readonly Dictionary<Address, int[]> _placed = [];
    private readonly Dictionary<Address, IActorRef> _hosts = [];
    private readonly HashSet<Address> _started = [];

    // Worker nodes lost while learning, whose collectors now run here, and those collectors (they get the weights directly).
    private readonly HashSet<Address> _lostNodes = [];
    private readonly List<IActorRef> _movedCollectors = [];

    // Steps a moved collector took on its lost node: its count starts again from 0 where it now runs.
    private readonly long[] _collectorStepsBeforeMove;
    private bool _learning;
    private float[] _initialWeights = [];
    private IActorRef _replay = ActorRefs.Nobody;
    private IActorRef _learner = ActorRefs.Nobody;
    private IActorRef _evaluator = ActorRefs.Nobody;
    private PolicyWeights? _latest;
    private float[]? _kept;
    private double _keptMean = double.NegativeInfinity;
    private long _keptAtStep;
    private long _nextEvaluation;
    private long _nextProgress;
    private long _requests;
    private long _updates;
    private int _observationSize;
    private int _actions;
    private float[]? _finalWeights;
    private double _lastWeightsMean = double.NaN;

    /// <summary>With <see cref="DqnPlacement.WorkerNodes"/>: the worker nodes (addresses) the scheduler reserved for this job; null for any.</summary>
    private readonly HashSet<string>? _reservedNodes;

    // Set when the wait for every reserved worker node is over: the collectors then go to those that are up.
    private bool _reservedWaitOver;

    public DqnCoordinatorActor(DqnSettings settings, IActorRef listener, ILogger log, TimeSpan stallTimeout, string jobId, DqnPlacement placement, IReadOnlyList<string>? reservedNodes = null)
    {
        _reservedNodes = reservedNodes?.ToHashSet(StringComparer.Ordinal);
        _settings = settings;
        _jobId = jobId;
        _placement = placement;
        _listener = listener;
        _log = log;
        _stallTimeout = stallTimeout;
        _spec = EnvironmentCatalog.Get(settings.Environment);
        _solved = new SolvedDetector(_spec.SolvedThreshold);
        _collectorSteps = new long[settings.Collectors];
        _collectorStepsBeforeMove = new long[settings.Collectors];
        _collectorNodes = new string[settings.Collectors];
        _nextEvaluation = settings.EvalInterval;
        Starting();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(DqnSettings settings, IActorRef listener, ILogger log, TimeSpan stallTimeout, string jobId, DqnPlacement placement = DqnPlacement.InProcess, IReadOnlyList<string>? reservedNodes = null) =>
        Akka.Actor.Props.Create(() => new DqnCoordinatorActor(settings, listener, log, stallTimeout, jobId, placement, reservedNodes));

    private long EnvSteps => _collectorSteps.Sum();

    protected override void PreStart()
    {
        var probe = _spec.Create();
        _observationSize = probe.ObservationSize;
        _actions = probe.ActionCount;
        _replay = Watch(Context.ActorOf(ReplayActor.Props(_settings, _observationSize), "replay"));
        _learner = Watch(Context.ActorOf(LearnerActor.Props(_settings, _observationSize, _actions, _replay, Self, _log.ForContext("Role", "learner")), "learner"));
        _evaluator = Watch(Context.ActorOf(EvaluatorActor.Props(_settings), "evaluator"));
        Progressed();
    }

    private static IActorRef Watch(IActorRef child) => Context.Watch(child);

    private void Starting()
    {
        Receive<LearnerReady>(ready =>
        {
            if (_placement == DqnPlacement.WorkerNodes)
            {
                _initialWeights = ready.InitialWeights;
                PlaceOnWorkerNodes();
                return;
            }

            var collectors = Enumerable.Range(0, _settings.Collectors).Select(i => Watch(Context.ActorOf(
                CollectorActor.Props(new CollectorSetup(i, _settings, ready.InitialWeights), _replay, Self, _log.ForContext("Collector", i)),
                $"collector-{i}"))).ToList();
            Array.Fill(_collectorNodes, ((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString());
            StartLearning([.. collectors, Self]);
        });
        Failures();
    }

    /// <summary>
    /// Deals the collectors over the worker nodes that are up and reachable now, and asks each node's
    /// collector host who it is; nothing waits longer than <see cref="RemoteTimeout"/>.
    /// </summary>
    /// <param name="seen">Members just reported up, which the cluster's state snapshot may not show yet.</param>
    private void PlaceOnWorkerNodes(IEnumerable<Member>? seen = null)
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        var nodes = UsableWorkerNodes(seen);
        var reservedMissing = _reservedNodes is not null && nodes.Count < _reservedNodes.Count && !_reservedWaitOver;
        if (nodes.Count == 0 || reservedMissing)
        {
            // Nodes started just before the job was submitted may still be joining, and a node the scheduler reserved
            // may have registered before this node's view of the cluster shows it up: wait a little, not forever.
            if (!Timers.IsTimerActive("workers"))
            {
                cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.ReachableMember));
                Timers.StartSingleTimer("workers", NoWorkers.Instance, WorkerWaitTimeout);
                if (nodes.Count == 0)
                {
                    _log.Information("No worker node is up yet; waiting up to {Seconds} s for one", WorkerWaitTimeout.TotalSeconds);
                }
                else
                {
                    _log.Information("{Up} of the {Reserved} worker nodes reserved for the job are up and reachable; waiting up to {Seconds} s for the others",
                        nodes.Count, _reservedNodes!.Count, WorkerWaitTimeout.TotalSeconds);
                }

                Become(WaitingForWorkers);
            }

            return;
        }

        Timers.Cancel("workers");
        cluster.Unsubscribe(Self, typeof(ClusterEvent.MemberUp));
        cluster.Unsubscribe(Self, typeof(ClusterEvent.ReachableMember));
        try
        {
            CollectorPlacement.CheckMessageSizes(_settings, _observationSize);
        }
        catch (SettingsException error)
        {
            Fail(error.Message);
            return;
        }

        foreach (var (node, collectors) in CollectorPlacement.Deal(_settings.Collectors, nodes))
        {
            _placed[node] = collectors;
            Context.ActorSelection(new RootActorPath(node) / "user" / CollectorHostActor.Name).Tell(new Identify(node));
        }

        // From here on, a worker node holding collectors that leaves or becomes unreachable fails the job.
        cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.UnreachableMember));
        Timers.StartSingleTimer("placement", PlacementTimedOut.Instance, RemoteTimeout);
        _log.Information("Placing {Collectors} collectors on {Nodes} worker nodes: {Placement}", _settings.Collectors, _placed.Count, DescribePlacement());
        Become(Placing);
    }

    /// <summary>The worker nodes up and reachable now (and reserved for the job, when it has reserved ones), in address order.</summary>
    private List<Address> UsableWorkerNodes(IEnumerable<Member>? seen)
    {
        var state = Akka.Cluster.Cluster.Get(Context.System).State;
        return state.Members.Concat(seen ?? [])
            .Where(m => m.Status == MemberStatus.Up && m.HasRole(Hosting.NodeOptions.WorkerRole) && !state.Unreachable.Contains(m))
            .Where(m => _reservedNodes is null || _reservedNodes.Contains(m.Address.ToString()))
            .Select(m => m.Address)
            .Distinct()
            .OrderBy(a => a.ToString(), StringComparer.Ordinal)
            .ToList();
    }

    private void WaitingForWorkers()
    {
        // Each sign of a worker coming up (or back) looks again: the collectors are placed once enough are usable.
        Receive<ClusterEvent.MemberUp>(m => m.Member.HasRole(Hosting.NodeOptions.WorkerRole), m => PlaceOnWorkerNodes([m.Member]));
        Receive<ClusterEvent.ReachableMember>(_ => PlaceOnWorkerNodes());
        // A worker that came up between the look at the membership and the subscription is in the snapshot.
        Receive<ClusterEvent.CurrentClusterState>(state => PlaceOnWorkerNodes(state.Members));
        Receive<NoWorkers>(_ =>
        {
            // The wait is over: the job runs on the reserved nodes that are up, or fails without any.
            _reservedWaitOver = true;
            if (UsableWorkerNodes(null).Count > 0)
            {
                PlaceOnWorkerNodes();
                return;
            }

            Fail($"no worker node came up in the cluster within {WorkerWaitTimeout.TotalSeconds:0} s, and DQN collectors run on worker nodes: start one (clustertrainer node --role worker --seed-nodes ...), or run clustertrainer dqn to keep a run in one process");
        });
        Failures();
    }

    private void Placing()
    {
        Receive<ActorIdentity>(identity =>
        {
            if (identity.MessageId is not Address node || !_placed.TryGetValue(node, out var collectors))
            {
                return;
            }

            if (identity.Subject is not { } host)
            {
                Fail($"worker node {node} has no collector host at /user/{CollectorHostActor.Name}: run the same ClusterTrainer version on every node");
                return;
            }

            _hosts[node] = Watch(host);
            host.Tell(new StartCollectors(_jobId, _settings, collectors, _replay, Self));
            SendInParts([host], new PolicyWeights(0, 0, _initialWeights));
        });
        Receive<CollectorsStarted>(started =>
        {
            var node = Sender.Path.Address;
            if (_lostNodes.Contains(node))
            {
                // A late answer of a node already given up on: its collectors were placed elsewhere.
                return;
            }

            RecordStarted(started);
            _started.Add(node);
            if (!_clock.IsRunning)
            {
                _clock.Start();
            }

            _log.Information("Collectors {Collectors} run on worker node {Node}", started.Collectors, started.Node);
            if (_started.Count == _placed.Count)
            {
                Timers.Cancel("placement");
                StartLearning([Self]);
            }
        });
        // Collectors of the nodes that started first are already collecting.
        Receive<CollectorProgressed>(Collected);
        Receive<CollectorFinished>(_ => { });
        Receive<CollectorsRefused>(m => Fail($"worker node {m.Node} could not start collectors {string.Join(", ", _placed.GetValueOrDefault(Sender.Path.Address, []))}: {m.Reason}"));
        Receive<PlacementTimedOut>(_ =>
        {
            var silent = _placed.Keys.Where(n => !_hosts.ContainsKey(n)).ToArray();
            Fail(silent.Length > 0
                ? $"the collector host of worker node {string.Join(", ", silent.Select(n => n.ToString()))} did not answer within {RemoteTimeout.TotalSeconds:0} s"
                : $"worker node {string.Join(", ", _placed.Keys.Where(n => !_started.Contains(n)).Select(n => n.ToString()))} did not start its collectors within {RemoteTimeout.TotalSeconds:0} s");
        });
        Failures();
    }

    private void RecordStarted(CollectorsStarted started)
    {
        for (var i = 0; i < started.Collectors.Length; i++)
        {
            var collector = started.Refs[i];
            _remoteCollectors[collector] = started.Collectors[i];
            _collectorNodes[started.Collectors[i]] = collector.Path.Address.ToString();
            Context.Watch(collector);
        }
    }

    private void StartLearning(IReadOnlyList<IActorRef> subscribers)
    {
        _learner.Tell(new StartLearning(subscribers));
        _learning = true;
        if (!_clock.IsRunning)
        {
            _clock.Start();
        }

        _log.Information("DQN on {Env}: {Collectors} collectors x {Envs} environments, {Steps} steps, replay ratio {Ratio}", _spec.Id, _settings.Collectors, _settings.EnvsPerCollector, _settings.Steps, _settings.ReplayRatio);
        Become(Running);
    }

    /// <summary>Weights go to each node's host once, in parts under the remote frame; the host hands them whole to its collectors.</summary>
    private void SendInParts(IReadOnlyList<IActorRef> hosts, PolicyWeights weights)
    {
        if (hosts.Count == 0)
        {
            // In one process the collectors subscribe to the learner themselves: nothing to cut.
            return;
        }

        var parts = WeightsSplitter.Split(_jobId, weights);
        foreach (var host in hosts)
        {
            foreach (var part in parts)
            {
                host.Tell(part);
            }
        }
    }

    private string DescribePlacement() =>
        string.Join("; ", _placed.Select(p => $"{p.Key}: {string.Join(", ", p.Value)}"));

    private void Running()
    {
        Receive<CollectorProgressed>(Collected);
        Receive<CollectorFinished>(_ => { });
        // Collectors moved to a surviving worker node have started there.
        Receive<CollectorsStarted>(started =>
        {
            RecordStarted(started);
            _log.Information("Collectors {Collectors} run again, on worker node {Node}", started.Collectors, started.Node);
        });
        Receive<PolicyWeights>(m =>
        {
            _latest = m;
            SendInParts([.. _hosts.Values], m);
            foreach (var collector in _movedCollectors)
            {
                collector.Tell(m);
            }
        });
        Receive<LearnerProgressed>(m =>
        {
            _updates = m.Updates;
            _log.Debug("Learner at {Updates} updates, mean loss {Loss:G4}", m.Updates, m.MeanLoss);
            Progressed();
        });
        Receive<PolicyEvaluated>(Evaluated);
        Receive<LearningFinished>(m =>
        {
            _updates = m.Updates;
            _finalWeights = m.FinalWeights;
            _log.Information("Learning finished: {Updates} updates, {EnvSteps} env steps in {Seconds:F1} s", m.Updates, EnvSteps, _clock.Elapsed.TotalSeconds);
            // The last weights compete with the periodic ones on the same footing before the final evaluation.
            _evaluator.Tell(new EvaluatePolicy(FinalCandidateRequest, m.FinalWeights, _settings.EvalEpisodes, SeedMixer.Mix(_settings.Seed, 1_000_000 + (int)++_requests)));
            Progressed();
        });
        Failures();
    }

    private void Failures()
    {
        Receive<CollectorFailed>(m => Fail(_remoteCollectors.ContainsKey(Sender)
            ? $"collector {m.Collector} on worker node {Sender.Path.Address} failed: {m.Reason}"
            : $"collector {m.Collector} failed: {m.Reason}"));
        Receive<LearnerFailed>(m => Fail($"the learner failed: {m.Reason}"));
        Receive<EvaluationFailed>(m => Fail($"an evaluation failed: {m.Reason}"));
        Receive<Terminated>(Stopped);
        Receive<ClusterEvent.UnreachableMember>(m => NodeLost(m.Member.Address, "became unreachable"));
        Receive<ClusterEvent.IMemberEvent>(m =>
        {
            if (m.Member.Status is MemberStatus.Leaving or MemberStatus.Exiting or MemberStatus.Down or MemberStatus.Removed)
            {
                NodeLost(m.Member.Address, "left the cluster");
            }
        });
        Receive<Stalled>(_ => Fail($"no progress for {_stallTimeout.TotalSeconds:0} s"));
        Receive<CancelDqnRun>(_ => Fail("cancelled"));
    }

    private void Stopped(Terminated m)
    {
        var actor = m.ActorRef;
        if (_lostNodes.Contains(actor.Path.Address))
        {
            // A collector or host of a node whose collectors were moved here: its end is already dealt with.
            return;
        }

        if (m.AddressTerminated)
        {
            // Its node is gone: the death watch can say so before the cluster's membership events do.
            NodeLost(actor.Path.Address, "is gone (its actors were terminated with the node)");
            return;
        }

        if (_hosts.ContainsValue(actor))
        {
            // A host is a top-level actor of its node that never stops on its own: the node is going or gone.
            NodeLost(actor.Path.Address, "is gone (its collector host stopped: the node died or left the cluster)");
            return;
        }

        Fail(_remoteCollectors.TryGetValue(actor, out var index)
            ? $"collector {index} on worker node {actor.Path.Address} stopped unexpectedly (it failed, or its node died or left)"
            : $"{actor.Path.Name} stopped unexpectedly");
    }

    private void NodeLost(Address node, string what)
    {
        if (!_placed.TryGetValue(node, out var collectors))
        {
            return;
        }

        _log.Warning("Worker node {Node} with collectors {Collectors} {What}", node.ToString(), collectors, what);
        MoveCollectors(node, collectors);
        if (!_learning && _started.Count == _placed.Count)
        {
            // Lost while the collectors were being placed: the nodes left have all started theirs.
            Timers.Cancel("placement");
            StartLearning([Self]);
        }
    }

    /// <summary>
    /// A worker node lost while the job places its collectors or learns: its collectors start again with the newest weights on the surviving worker
    /// node that has the fewest, or on this (the coordinator's) node when none is left, and the job goes on; the replay
    /// buffer and the learner live here, so nothing else is lost. A moved collector collects the rest of its quota (the steps
    /// it had reported are subtracted; its experience before the loss stays in the replay buffer), so the job collects what it asked for.
    /// </summary>
    private void MoveCollectors(Address node, int[] collectors)
    {
        _placed.Remove(node);
        _hosts.Remove(node);
        _started.Remove(node);
        _lostNodes.Add(node);
        foreach (var actor in _remoteCollectors.Where(p => p.Key.Path.Address == node).Select(p => p.Key).ToArray())
        {
            _remoteCollectors.Remove(actor);
        }

        foreach (var index in collectors)
        {
            _collectorStepsBeforeMove[index] = _collectorSteps[index];
        }

        // A collector that had reported its whole quota has nothing left to collect.
        collectors = [.. collectors.Where(i => _collectorSteps[i] < _settings.QuotaOf(i))];
        if (collectors.Length == 0)
        {
            return;
        }

        var stepsDone = collectors.Select(i => _collectorSteps[i]).ToArray();

        // To the surviving worker node with the fewest collectors; to this node when none is left.
        var target = _hosts.Keys.OrderBy(n => _placed.GetValueOrDefault(n, []).Length).ThenBy(n => n.ToString(), StringComparer.Ordinal).FirstOrDefault();
        if (target is not null)
        {
            var host = _hosts[target];
            _placed[target] = [.. _placed[target], .. collectors];
            // The host starts them with the newest weights it holds; the next weights reach them as they reach the others.
            host.Tell(new StartCollectors(_jobId, _settings, collectors, _replay, Self, stepsDone));
            _log.Warning("Collectors {Collectors} of lost worker node {Node} start again on worker node {Target} with the rest of their quotas", collectors, node.ToString(), target.ToString());
            return;
        }

        var weights = _latest?.Values ?? _initialWeights;
        var here = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString();
        foreach (var index in collectors)
        {
            var collector = Watch(Context.ActorOf(
                CollectorActor.Props(new CollectorSetup(index, _settings, weights, _collectorSteps[index]), _replay, Self, _log.ForContext("Collector", index)),
                $"collector-{index}-moved-{_movedCollectors.Count}"));
            _movedCollectors.Add(collector);
            _collectorNodes[index] = here;
        }

        _log.Warning("Collectors {Collectors} of lost worker node {Node} start again on the coordinator node {Here}", collectors, node.ToString(), here);
    }

    private void Collected(CollectorProgressed progress)
    {
        _collectorSteps[progress.Collector] = _collectorStepsBeforeMove[progress.Collector] + progress.Steps;
        var steps = EnvSteps;
        foreach (var episodeReturn in progress.EpisodeReturns)
        {
            _solved.Add(episodeReturn, steps);
            _episodes.Add((steps, episodeReturn));
        }

        if (steps >= _nextEvaluation && _latest is not null && _pendingEvaluations.Count == 0)
        {
            // One evaluation at a time: if the evaluator lags, the next one simply happens later.
            var row = new DqnEvaluationRow(steps, _latest.Updates, _solved.Episodes, _clock.Elapsed.TotalSeconds, _solved.MeanReturn, double.NaN, steps / Math.Max(1e-9, _clock.Elapsed.TotalSeconds));
            var id = ++_requests;
            _pendingEvaluations[id] = (_latest.Values, row);
            _evaluator.Tell(new EvaluatePolicy(id, _latest.Values, _settings.EvalEpisodes, SeedMixer.Mix(_settings.Seed, 1_000_000 + (int)id)));
            _nextEvaluation = (steps / _settings.EvalInterval + 1) * _settings.EvalInterval;
        }

        if (steps >= _nextProgress)
        {
            _nextProgress = steps + Math.Max(1, _settings.Steps / 200);
            _listener.Tell(new DqnProgressed(steps, _settings.Steps, _solved.Episodes, _solved.MeanReturn, _updates, steps / Math.Max(1e-9, _clock.Elapsed.TotalSeconds), _evaluations.Count == 0 ? null : _evaluations[^1].EvalMeanReturn));
        }

        Progressed();
    }

    private void Evaluated(PolicyEvaluated result)
    {
        Progressed();
        if (result.RequestId == FinalCandidateRequest)
        {
            _lastWeightsMean = result.MeanReturn;
            Keep(_finalWeights!, result.MeanReturn, EnvSteps);
            _log.Information("Last weights: greedy mean {Mean:F1}; keeping the weights of step {Step} (periodic mean {Kept:F1})", result.MeanReturn, _keptAtStep, _keptMean);
            _evaluator.Tell(new EvaluatePolicy(FinalRequest, _kept!, _settings.FinalEvalEpisodes, SeedMixer.Mix(_settings.Seed, 2_000_000)));
            return;
        }

        if (result.RequestId == FinalRequest)
        {
            Complete(result.Returns);
            return;
        }

        if (!_pendingEvaluations.Remove(result.RequestId, out var pending))
        {
            return;
        }

        var row = pending.Row with { EvalMeanReturn = result.MeanReturn };
        _evaluations.Add(row);
        _listener.Tell(new DqnEvaluated(row));
        _log.Information("Evaluation at {EnvSteps} env steps, {Updates} updates: greedy mean {EvalMean:F1}, training mean {TrainMean:F1}", row.EnvSteps, row.Updates, row.EvalMeanReturn, row.TrainMeanReturn);
        Keep(pending.Weights, result.MeanReturn, row.EnvSteps);
    }

    /// <summary>Keeps the best weights so far; ties go to the later weights, which have trained longer.</summary>
    private void Keep(float[] weights, double mean, long step)
    {
        if (mean >= _keptMean)
        {
            _kept = weights;
            _keptMean = mean;
            _keptAtStep = step;
        }
    }

    private void Complete(double[] finalReturns)
    {
        Timers.CancelAll();
        var result = new DqnRunResult(
            _settings, _observationSize, _actions, EnvSteps, _updates, _clock.Elapsed.TotalSeconds, _episodes, _evaluations,
            _solved.MeanReturn, _solved.SolvedAtStep, _kept!, _keptAtStep, _keptMean, _lastWeightsMean, finalReturns)
        {
            CollectorNodes = _collectorNodes,
        };
        _log.Information("DQN run finished: final greedy mean {FinalMean:F1} over {Episodes} episodes, solved at {SolvedAt}", result.FinalEvalMean, finalReturns.Length, result.SolvedAtStep);
        _listener.Tell(new DqnRunCompleted(result));
        Become(Finished);
    }

    private void Finished()
    {
        ReceiveAny(_ => { });
    }

    private void Fail(string reason)
    {
        _log.Error("DQN run failed: {Reason}", reason);
        Timers.CancelAll();
        _listener.Tell(new DqnRunFailed(reason));
        Become(Finished);
    }

    protected override void PostStop()
    {
        if (_placement == DqnPlacement.WorkerNodes)
        {
            Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        }

        base.PostStop();
    }

    /// <summary>Restarts the stall timer: every sign of life pushes the deadline back.</summary>
    private void Progressed() => Timers.StartSingleTimer("stall", Stalled.Instance, _stallTimeout);

    private sealed class NoWorkers
    {
        public static readonly NoWorkers Instance = new();

        private NoWorkers()
        {
        }
    }

    private sealed class PlacementTimedOut
    {
        public static readonly PlacementTimedOut Instance = new();

        private PlacementTimedOut()
        {
        }
    }

    private sealed class Stalled
    {
        public static readonly Stalled Instance = new();

        private Stalled()
        {
        }
    }
}
