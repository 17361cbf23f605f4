using System.Diagnostics;
using Akka.Actor;
using ClusterTrainer.Core;
using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Environments;
using Serilog;

namespace ClusterTrainer.Cluster.Rl;

/// <summary>
/// Runs one DQN job: starts the replay, the learner, the evaluator and the collectors as its children,
/// counts steps and episodes, has the policy evaluated greedily every EvalInterval steps and keeps the
/// best weights so far, and when the learner is done evaluates them on fresh seeds and reports. A
/// child that stops, a failure, or no progress within the stall timeout ends the run with a reason.
/// </summary>
public sealed class DqnCoordinatorActor : ReceiveActor, IWithTimers
{
    private const long FinalCandidateRequest = -1;
    private const long FinalRequest = -2;

    private readonly DqnSettings _settings;
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

    public DqnCoordinatorActor(DqnSettings settings, IActorRef listener, ILogger log, TimeSpan stallTimeout)
    {
        _settings = settings;
        _listener = listener;
        _log = log;
        _stallTimeout = stallTimeout;
        _spec = EnvironmentCatalog.Get(settings.Environment);
        _solved = new SolvedDetector(_spec.SolvedThreshold);
        _collectorSteps = new long[settings.Collectors];
        _nextEvaluation = settings.EvalInterval;
        Starting();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(DqnSettings settings, IActorRef listener, ILogger log, TimeSpan stallTimeout) =>
        Akka.Actor.Props.Create(() => new DqnCoordinatorActor(settings, listener, log, stallTimeout));

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
            var collectors = Enumerable.Range(0, _settings.Collectors).Select(i => Watch(Context.ActorOf(
                CollectorActor.Props(new CollectorSetup(i, _settings, ready.InitialWeights), _replay, Self, _log.ForContext("Collector", i)),
                $"collector-{i}"))).ToList();
            _learner.Tell(new StartLearning([.. collectors, Self]));
            _clock.Start();
            _log.Information("DQN on {Env}: {Collectors} collectors x {Envs} environments, {Steps} steps, replay ratio {Ratio}", _spec.Id, _settings.Collectors, _settings.EnvsPerCollector, _settings.Steps, _settings.ReplayRatio);
            Become(Running);
        });
        Failures();
    }

    private void Running()
    {
        Receive<CollectorProgressed>(Collected);
        Receive<CollectorFinished>(_ => { });
        Receive<PolicyWeights>(m => _latest = m);
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
        Receive<CollectorFailed>(m => Fail($"collector {m.Collector} failed: {m.Reason}"));
        Receive<LearnerFailed>(m => Fail($"the learner failed: {m.Reason}"));
        Receive<EvaluationFailed>(m => Fail($"an evaluation failed: {m.Reason}"));
        Receive<Terminated>(m => Fail($"{m.ActorRef.Path.Name} stopped unexpectedly"));
        Receive<Stalled>(_ => Fail($"no progress for {_stallTimeout.TotalSeconds:0} s"));
        Receive<CancelDqnRun>(_ => Fail("cancelled"));
    }

    private void Collected(CollectorProgressed progress)
    {
        _collectorSteps[progress.Collector] = progress.Steps;
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
            _solved.MeanReturn, _solved.SolvedAtStep, _kept!, _keptAtStep, _keptMean, _lastWeightsMean, finalReturns);
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

    /// <summary>Restarts the stall timer: every sign of life pushes the deadline back.</summary>
    private void Progressed() => Timers.StartSingleTimer("stall", Stalled.Instance, _stallTimeout);

    private sealed class Stalled
    {
        public static readonly Stalled Instance = new();

        private Stalled()
        {
        }
    }
}
