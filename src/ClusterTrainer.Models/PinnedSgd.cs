using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

/// <summary>
/// Stochastic gradient descent with optional momentum as torch.optim.SGD computes it (no dampening, no Nesterov,
/// no weight decay: the momentum buffer starts as the first gradient, then b = m b + g; p -= lr b), with every
/// scalar pinned (see <see cref="IPinnedOptimizer"/>). Momentum 0 is plain gradient descent: p -= lr g.
/// </summary>
public sealed class PinnedSgd : PinnedOptimizer
{
    private readonly Tensor?[] _buffers;
    private readonly double _momentum;
    private readonly Scalar _momentumScalar;
    private readonly Scalar _one = 1.0.ToScalar();
    private long _steps;

    public PinnedSgd(IEnumerable<TorchSharp.Modules.Parameter> parameters, double learningRate, double momentum)
        : base(parameters, learningRate)
    {
        _buffers = new Tensor?[Parameters.Length];
        _momentum = momentum;
        _momentumScalar = momentum.ToScalar();
    }

    /// <summary>The momentum buffers (none without momentum).</summary>
    public override int StateLength => _momentum == 0 ? 0 : ParameterCount;

    public override OptimizerState ExportState()
    {
        var values = new float[StateLength];
        // Before the first update the buffers do not exist yet; zeros stand in, and the step count 0 says so.
        if (_momentum != 0 && _buffers.All(b => b is not null))
        {
            Flatten([.. _buffers.Select(b => b!)], values);
        }

        return new OptimizerState(_steps, values);
    }

    public override void ImportState(OptimizerState state)
    {
        RequireLength(state);
        _steps = state.Steps;
        for (var i = 0; i < _buffers.Length; i++)
        {
            _buffers[i]?.Dispose();
            _buffers[i] = _momentum != 0 && state.Steps > 0 ? zeros_like(Parameters[i]).DetachFromDisposeScope() : null;
        }

        if (_momentum != 0 && state.Steps > 0)
        {
            Unflatten(state.Values, [.. _buffers.Select(b => b!)]);
        }
    }

    public override void Update()
    {
        _steps++;
        using var minusRate = (-LearningRate).ToScalar();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (var i = 0; i < Parameters.Length; i++)
        {
            var gradient = Parameters[i].grad;
            if (gradient is null)
            {
                continue;
            }

            var direction = gradient;
            if (_momentum != 0)
            {
                if (_buffers[i] is { } buffer)
                {
                    buffer.mul_(_momentumScalar).add_(gradient, _one);
                }
                else
                {
                    _buffers[i] = gradient.detach().clone().DetachFromDisposeScope();
                }

                direction = _buffers[i]!;
            }

            Parameters[i].add_(direction, minusRate);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        foreach (var buffer in _buffers)
        {
            buffer?.Dispose();
        }

        _momentumScalar.Dispose();
        _one.Dispose();
    }
}
