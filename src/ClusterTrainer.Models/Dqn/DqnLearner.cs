using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Replay;
using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models.Dqn;

/// <summary>
/// Double DQN on tensors: an online and a target Q-network, Huber loss weighted by the replay's
/// importance weights, Adam, and gradient-norm clipping. The target network is a hard copy of the online
/// one, refreshed every TargetUpdateInterval updates. <see cref="DoubleDqnTargets"/> is the arithmetic
/// reference these targets are tested against.
/// </summary>
/// <remarks>Not thread-safe: the learner actor drives it from its own thread.</remarks>
public sealed class DqnLearner : IDisposable
{
    private readonly QNetwork _online;
    private readonly QNetwork _target;
    private readonly PinnedAdam _optimizer;
    private readonly Scalar _gamma;
    private readonly Scalar _one = 1.0.ToScalar();
    private readonly Scalar _minusOne = (-1.0).ToScalar();
    private readonly double _maxGradNorm;
    private readonly int _targetUpdateInterval;

    public DqnLearner(int observationSize, int actions, DqnSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _online = new QNetwork(observationSize, settings.Hidden, actions, settings.Seed);
        _target = new QNetwork(observationSize, settings.Hidden, actions, settings.Seed);
        _target.CopyFrom(_online);
        _optimizer = new PinnedAdam(_online.Parameters, settings.LearningRate);
        _gamma = settings.Gamma.ToScalar();
        _maxGradNorm = settings.MaxGradNorm;
        _targetUpdateInterval = settings.TargetUpdateInterval;
    }

    public QNetwork Online => _online;

    public QNetwork Target => _target;

    public long Updates { get; private set; }

    /// <summary>The Double DQN targets of a batch, read back to an array (for tests and diagnostics).</summary>
    public float[] ComputeTargets(ReplayBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        return Targets(batch).data<float>().ToArray();
    }

    /// <summary>
    /// One gradient step on <paramref name="batch"/>. Writes each transition's TD error (Q - target) into
    /// <paramref name="tdErrors"/> when given, for prioritised replay.
    /// </summary>
    /// <returns>The batch's (weighted) Huber loss before the step.</returns>
    public double Update(ReplayBatch batch, float[]? tdErrors = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        double loss;
        _optimizer.ZeroGrad();
        using (var scope = NewDisposeScope())
        {
            var targets = Targets(batch);
            _online.Module.train();
            var actions = tensor(Array.ConvertAll(batch.Actions, a => (long)a), [batch.Size, 1]);
            var q = _online.Forward(batch.Observations, batch.Size).gather(1, actions).squeeze(1);
            var perSample = nn.functional.huber_loss(q, targets, reduction: nn.Reduction.None, delta: 1.0);
            var weighted = perSample.mul(tensor(batch.Weights)).mean();
            weighted.backward();
            nn.utils.clip_grad_norm_(_online.Parameters, _maxGradNorm);
            loss = weighted.item<float>();
            if (tdErrors is not null)
            {
                q.detach().add(targets, _minusOne).data<float>().CopyTo(tdErrors);
            }
        }

        _optimizer.Update();
        Updates++;
        if (Updates % _targetUpdateInterval == 0)
        {
            _target.CopyFrom(_online);
        }

        return loss;
    }

    // Every scalar handed to libtorch here is a field, never a temporary: TorchSharp's implicit Scalars
    // (including the default alpha of add and sub) can be finalized by the GC while the native call still
    // reads them, which crashed the learner every few thousand updates under the collectors' allocation rate.

    /// <summary>y = r + gamma * (1 - terminated) * Qtarget(s', argmax_a Qonline(s', a)), without gradients.</summary>
    private Tensor Targets(ReplayBatch batch)
    {
        using var noGrad = no_grad();
        _online.Module.eval();
        _target.Module.eval();
        var nextActions = _online.Forward(batch.NextObservations, batch.Size).argmax(1, keepdim: true);
        var nextValues = _target.Forward(batch.NextObservations, batch.Size).gather(1, nextActions).squeeze(1);
        // Only termination zeroes the future; a time-limit cut is stored as not terminated and bootstraps.
        var live = tensor(Array.ConvertAll(batch.Terminated, t => t ? 0f : 1f));
        return tensor(batch.Rewards).add(nextValues.mul(live).mul(_gamma), _one);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _gamma.Dispose();
        _one.Dispose();
        _minusOne.Dispose();
        _online.Dispose();
        _target.Dispose();
    }
}
