using Akka.Actor;
using ClusterTrainer.Core;
using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Exploration;
using ClusterTrainer.Rl.Replay;

namespace ClusterTrainer.Cluster.Rl;

/// <summary>
/// Owns the bounded replay buffer (its memory is fixed at start, however long the run) and the
/// replay-ratio governor: it stores collectors' chunks, serves the learner batches as the ratio allows,
/// and holds back collectors' acknowledgements when they run too far ahead. Every operation is a few
/// array copies, so it runs in the mailbox.
/// </summary>
public sealed class ReplayActor : ReceiveActor
{
    private readonly DqnSettings _settings;
    private readonly ReplayBuffer _buffer;
    private readonly ReplayRatioGovernor _governor;
    private readonly ReplayBatch _batch;
    private readonly LinearSchedule _beta;
    private readonly Random _random;
    private readonly Queue<(IActorRef Collector, ExperienceAccepted Ack)> _held = new();
    private (IActorRef Learner, SampleBatches Request)? _pendingSample;
    private long _updatesDone;

    public ReplayActor(DqnSettings settings, int observationSize)
    {
        _settings = settings;
        _buffer = new ReplayBuffer(settings.BufferSize, observationSize, settings.Prioritized ? new PrioritizationOptions(settings.PriorityAlpha) : null);
        _governor = new ReplayRatioGovernor(settings.ReplayRatio, settings.LearningStarts, settings.MaxLag, settings.Steps);
        _batch = new ReplayBatch(settings.BatchSize, observationSize);
        _beta = new LinearSchedule(settings.PriorityBeta, 1.0, 1.0, settings.Steps);
        _random = new Random(SeedMixer.Mix(settings.Seed, 7));

        Receive<StoreExperience>(Store);
        Receive<SampleBatches>(m =>
        {
            _updatesDone = Math.Max(_updatesDone, m.UpdatesDone);
            _pendingSample = (Sender, m);
            ReleaseHeld();
            TryServe();
        });
        Receive<UpdatePriorities>(m => _buffer.UpdatePriorities(m.Ids, m.TdErrors));
        Receive<GetReplayStatus>(_ => Sender.Tell(new ReplayStatus(_buffer.Count, _buffer.Capacity, _buffer.TotalAdded, _updatesDone, _held.Count)));
    }

    public static Props Props(DqnSettings settings, int observationSize) =>
        Akka.Actor.Props.Create(() => new ReplayActor(settings, observationSize));

    private void Store(StoreExperience chunk)
    {
        _buffer.AddRange(chunk.Observations, chunk.Actions, chunk.Rewards, chunk.NextObservations, chunk.Terminated);
        var ack = new ExperienceAccepted(chunk.Collector, chunk.Sequence);
        if (_held.Count == 0 && _governor.MayCollect(_buffer.TotalAdded, _updatesDone))
        {
            Sender.Tell(ack);
        }
        else
        {
            _held.Enqueue((Sender, ack));
        }

        TryServe();
    }

    private void ReleaseHeld()
    {
        // Each released ack lets one collector send one more chunk, so the window is overrun by at most the
        // chunks the collectors may have in flight, a bound that does not grow with the run.
        while (_held.Count > 0 && _governor.MayCollect(_buffer.TotalAdded, _updatesDone))
        {
            var (collector, ack) = _held.Dequeue();
            collector.Tell(ack);
        }
    }

    private void TryServe()
    {
        if (_pendingSample is not { } pending)
        {
            return;
        }

        var allowed = _governor.UpdatesAllowed(_buffer.TotalAdded, _updatesDone);
        if (allowed > 0)
        {
            _pendingSample = null;
            pending.Learner.Tell(Sample((int)Math.Min(allowed, pending.Request.MaxBatches)));
        }
        else if (_governor.IsComplete(_buffer.TotalAdded, _updatesDone))
        {
            _pendingSample = null;
            pending.Learner.Tell(new BatchesSampled(0, _settings.BatchSize, [], [], [], [], [], [], [], Complete: true));
        }
    }

    private BatchesSampled Sample(int count)
    {
        var size = _batch.Size;
        var observationSize = _batch.ObservationSize;
        var observations = new float[count * size * observationSize];
        var nextObservations = new float[observations.Length];
        var actions = new int[count * size];
        var rewards = new float[count * size];
        var terminated = new bool[count * size];
        var ids = new long[count * size];
        var weights = new float[count * size];
        for (var i = 0; i < count; i++)
        {
            if (_buffer.IsPrioritized)
            {
                _buffer.SamplePrioritized(_random, _beta.ValueAt(_buffer.TotalAdded), _batch);
            }
            else
            {
                _buffer.SampleUniform(_random, _batch);
            }

            _batch.Observations.CopyTo(observations, i * size * observationSize);
            _batch.NextObservations.CopyTo(nextObservations, i * size * observationSize);
            _batch.Actions.CopyTo(actions, i * size);
            _batch.Rewards.CopyTo(rewards, i * size);
            _batch.Terminated.CopyTo(terminated, i * size);
            _batch.Ids.CopyTo(ids, i * size);
            _batch.Weights.CopyTo(weights, i * size);
        }

        return new BatchesSampled(count, size, observations, actions, rewards, nextObservations, terminated, ids, weights, Complete: false);
    }
}
