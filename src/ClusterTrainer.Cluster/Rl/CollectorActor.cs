using Akka.Actor;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Threading;
using ClusterTrainer.Models.Dqn;
using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Environments;
using ClusterTrainer.Rl.Exploration;
using Serilog;
using TorchSharp;

namespace ClusterTrainer.Cluster.Rl;

/// <summary>
/// Steps M copies of the environment with its own copy of the policy and its own epsilon, on its own
/// thread, and sends the experience to the replay in chunks. New weights are only remembered when they
/// arrive and loaded before the next chunk, so a collector never waits for the learner's weights; it
/// keeps at most <see cref="MaxChunksInFlight"/> chunks unacknowledged, which is how the replay paces it.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor releases its resources in PostStop, not Dispose.")]
public sealed class CollectorActor : ReceiveActor
{
    /// <summary>Two, so the next chunk is computed while the previous one is being stored.</summary>
    public const int MaxChunksInFlight = 2;

    private readonly CollectorSetup _setup;
    private readonly IActorRef _replay;
    private readonly IActorRef _coordinator;
    private readonly ILogger _log;
    private DedicatedThread? _thread;
    private ExperienceCollector? _collector;
    private QNetwork? _policy;
    private PolicyWeights? _newest;
    private long _policyVersion;
    private long _sequence;
    private long _steps;
    private int _inFlight;
    private bool _computing;
    private bool _finished;

    public CollectorActor(CollectorSetup setup, IActorRef replay, IActorRef coordinator, ILogger log)
    {
        _setup = setup;
        _replay = replay;
        _coordinator = coordinator;
        _log = log;

        Receive<PolicyWeights>(m =>
        {
            // Only the newest weights matter; older ones that arrive late are dropped, never applied.
            if (m.Version > (_newest?.Version ?? _policyVersion))
            {
                _newest = m;
                LoadWeightsIfIdle();
            }
        });
        Receive<WeightsLoaded>(m => _policyVersion = Math.Max(_policyVersion, m.Version));
        Receive<ChunkCollected>(Collected);
        Receive<ExperienceAccepted>(_ =>
        {
            _inFlight--;
            CollectNext();
        });
        Receive<GetCollectorStatus>(_ => Sender.Tell(new CollectorStatus(_setup.Index, _steps, _sequence, _policyVersion, _inFlight, _finished)));
        Receive<Status.Failure>(f =>
        {
            _log.Error(f.Cause, "Collector {Collector} failed", _setup.Index);
            _coordinator.Tell(new CollectorFailed(_setup.Index, f.Cause.GetBaseException().Message));
        });
    }

    public static Props Props(CollectorSetup setup, IActorRef replay, IActorRef coordinator, ILogger log) =>
        Akka.Actor.Props.Create(() => new CollectorActor(setup, replay, coordinator, log));

    protected override void PreStart()
    {
        var settings = _setup.Settings;
        var index = _setup.Index;
        var spec = EnvironmentCatalog.Get(settings.Environment);
        var quota = _setup.Quota;
        // Acting is a tiny forward pass: one intra-op thread per collector keeps them from fighting over cores.
        _thread = new DedicatedThread($"collector-{index}", () => torch.set_num_threads(1));
        _thread.Run(() =>
        {
            var epsilon = new CollectorEpsilon(index, settings.Collectors, settings.FinalEpsilon, settings.EpsilonAlpha, settings.ExplorationFraction, quota);
            _collector = new ExperienceCollector(spec.Create, settings.EnvsPerCollector, SeedMixer.Mix(settings.Seed, 100 + index), epsilon, quota);
            _policy = new QNetwork(_collector.ObservationSize, settings.Hidden, _collector.ActionCount, settings.Seed);
            _policy.ImportParameters(_setup.InitialWeights);
            _log.Information("Collector {Collector} starts: {Envs} x {Env}, quota {Quota} steps, final epsilon {Epsilon}", index, settings.EnvsPerCollector, spec.Id, quota, epsilon.Final);
        });
        CollectNext();
    }

    /// <summary>
    /// A collector held back by the replay is idle: it loads new weights at once, so it resumes with the
    /// freshest policy. A busy one picks them up before its next chunk.
    /// </summary>
    private void LoadWeightsIfIdle()
    {
        if (_computing || _newest is not { } weights)
        {
            return;
        }

        _newest = null;
        _thread!.Run(() =>
        {
            _policy!.ImportParameters(weights.Values);
            return new WeightsLoaded(weights.Version);
        }).PipeTo(Self);
    }

    private void CollectNext()
    {
        if (_computing || _finished || _inFlight >= MaxChunksInFlight)
        {
            return;
        }

        _computing = true;
        var weights = _newest;
        _newest = null;
        var chunkSteps = _setup.Settings.ChunkSteps;
        _thread!.Run(() =>
        {
            if (weights is not null)
            {
                _policy!.ImportParameters(weights.Values);
            }

            var chunk = _collector!.Collect(chunkSteps, _policy!.QValues);
            return new ChunkCollected(chunk, _collector.Steps, _collector.CurrentEpsilon, _collector.IsFinished, weights?.Version);
        }).PipeTo(Self);
    }

    private void Collected(ChunkCollected result)
    {
        _computing = false;
        if (result.PolicyVersion is { } version)
        {
            _policyVersion = Math.Max(_policyVersion, version);
        }

        var chunk = result.Chunk;
        _steps = result.Steps;
        _sequence++;
        _inFlight++;
        _replay.Tell(new StoreExperience(_setup.Index, _sequence, chunk.Observations, chunk.Actions, chunk.Rewards, chunk.NextObservations, chunk.Terminated));
        _coordinator.Tell(new CollectorProgressed(_setup.Index, _steps, chunk.Count, chunk.EpisodeReturns, chunk.EpisodeLengths, _policyVersion, result.Epsilon));
        if (result.Finished)
        {
            _finished = true;
            _log.Information("Collector {Collector} finished its {Steps} steps", _setup.Index, _steps);
            _coordinator.Tell(new CollectorFinished(_setup.Index, _steps));
            return;
        }

        CollectNext();
        // Weights that came while this chunk was computed wait for the next one; if the replay holds the collector
        // back, that may be long, so an idle collector loads them now.
        LoadWeightsIfIdle();
    }

    protected override void PostStop()
    {
        var thread = _thread;
        if (thread is not null)
        {
            var policy = _policy;
            thread.Run(() => policy?.Dispose());
            thread.Dispose();
        }

        base.PostStop();
    }

    private sealed record WeightsLoaded(long Version);

    private sealed record ChunkCollected(ExperienceChunk Chunk, long Steps, double Epsilon, bool Finished, long? PolicyVersion);
}
