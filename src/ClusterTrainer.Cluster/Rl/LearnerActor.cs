using Akka.Actor;
using ClusterTrainer.Core.Threading;
using ClusterTrainer.Models.Dqn;
using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Replay;
using Serilog;
using TorchSharp;

namespace ClusterTrainer.Cluster.Rl;

/// <summary>
/// Owns the Double DQN learner (online and target networks, Adam). It pulls batches from the replay as
/// the replay ratio allows, runs the updates on its own thread, and publishes the online weights every
/// PublishInterval updates to its subscribers. Nothing ever waits for it: collectors keep acting with
/// the weights they have.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor releases its resources in PostStop, not Dispose.")]
public sealed class LearnerActor : ReceiveActor
{
    /// <summary>Batches per request: small enough that the replay's answer never holds a large message.</summary>
    private const int MaxBatchesPerRequest = 16;

    private readonly DqnSettings _settings;
    private readonly int _observationSize;
    private readonly int _actions;
    private readonly IActorRef _replay;
    private readonly IActorRef _coordinator;
    private readonly ILogger _log;
    private DedicatedThread? _thread;
    private DqnLearner? _learner;
    private ReplayBatch? _batch;
    private IReadOnlyList<IActorRef> _subscribers = [];
    private long _updates;
    private long _version;

    public LearnerActor(DqnSettings settings, int observationSize, int actions, IActorRef replay, IActorRef coordinator, ILogger log)
    {
        _settings = settings;
        _observationSize = observationSize;
        _actions = actions;
        _replay = replay;
        _coordinator = coordinator;
        _log = log;

        Receive<StartLearning>(m =>
        {
            _subscribers = m.Subscribers;
            RequestBatches();
        });
        Receive<BatchesSampled>(Learn);
        Receive<UpdatesApplied>(Applied);
        Receive<Status.Failure>(f =>
        {
            _log.Error(f.Cause, "The learner failed after {Updates} updates", _updates);
            _coordinator.Tell(new LearnerFailed(f.Cause.GetBaseException().Message));
        });
    }

    public static Props Props(DqnSettings settings, int observationSize, int actions, IActorRef replay, IActorRef coordinator, ILogger log) =>
        Akka.Actor.Props.Create(() => new LearnerActor(settings, observationSize, actions, replay, coordinator, log));

    protected override void PreStart()
    {
        // One intra-op thread: with batches of 64 to 128 rows, more threads cost more in synchronisation
        // than they gain, and the collectors need the other core.
        _thread = new DedicatedThread("learner", () => torch.set_num_threads(1));
        _thread.Run(() =>
        {
            _learner = new DqnLearner(_observationSize, _actions, _settings);
            _batch = new ReplayBatch(_settings.BatchSize, _observationSize);
            return new LearnerReady(_learner.Online.ExportParameters());
        }).PipeTo(_coordinator, Self, failure: error => new LearnerFailed($"could not build the networks: {error.GetBaseException().Message}"));
    }

    private void RequestBatches()
    {
        // Stop each request at the next publication, so weights go out exactly every PublishInterval updates.
        var toPublish = _settings.PublishInterval - (int)(_updates % _settings.PublishInterval);
        _replay.Tell(new SampleBatches(_updates, Math.Min(MaxBatchesPerRequest, toPublish)));
    }

    private void Learn(BatchesSampled sampled)
    {
        if (sampled.Count == 0)
        {
            if (sampled.Complete)
            {
                _thread!.Run(() => new LearningFinished(_updates, _learner!.Online.ExportParameters()))
                    .PipeTo(_coordinator, Self, failure: error => new LearnerFailed(error.GetBaseException().Message));
            }

            return;
        }

        var prioritized = _settings.Prioritized;
        var publishInterval = _settings.PublishInterval;
        _thread!.Run(() =>
        {
            var learner = _learner!;
            var batch = _batch!;
            var size = batch.Size;
            var rows = size * batch.ObservationSize;
            var tdErrors = prioritized ? new float[sampled.Count * size] : null;
            var row = prioritized ? new float[size] : null;
            var lossSum = 0.0;
            for (var i = 0; i < sampled.Count; i++)
            {
                Array.Copy(sampled.Observations, i * rows, batch.Observations, 0, rows);
                Array.Copy(sampled.NextObservations, i * rows, batch.NextObservations, 0, rows);
                Array.Copy(sampled.Actions, i * size, batch.Actions, 0, size);
                Array.Copy(sampled.Rewards, i * size, batch.Rewards, 0, size);
                Array.Copy(sampled.Terminated, i * size, batch.Terminated, 0, size);
                Array.Copy(sampled.Weights, i * size, batch.Weights, 0, size);
                lossSum += learner.Update(batch, row);
                row?.CopyTo(tdErrors!, i * size);
            }

            var weights = learner.Updates % publishInterval == 0 ? learner.Online.ExportParameters() : null;
            return new UpdatesApplied(learner.Updates, sampled.Count, lossSum, prioritized ? sampled.Ids : null, tdErrors, weights);
        }).PipeTo(Self);
    }

    private void Applied(UpdatesApplied applied)
    {
        _updates = applied.Updates;
        if (applied.Ids is not null && applied.TdErrors is not null)
        {
            _replay.Tell(new UpdatePriorities(applied.Ids, applied.TdErrors));
        }

        if (applied.Weights is not null)
        {
            var weights = new PolicyWeights(++_version, _updates, applied.Weights);
            foreach (var subscriber in _subscribers)
            {
                subscriber.Tell(weights);
            }

            _coordinator.Tell(new LearnerProgressed(_updates, applied.LossSum / applied.Count));
        }

        RequestBatches();
    }

    protected override void PostStop()
    {
        var thread = _thread;
        if (thread is not null)
        {
            var learner = _learner;
            thread.Run(() => learner?.Dispose());
            thread.Dispose();
        }

        base.PostStop();
    }

    private sealed record UpdatesApplied(long Updates, int Count, double LossSum, long[]? Ids, float[]? TdErrors, float[]? Weights);
}
