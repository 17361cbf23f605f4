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

    public PinnedSgd(IEnumerable<TorchSharp.Modules.Parameter> parameters, double learningRate, double momentum)
        : base(parameters, learningRate)
    {
        _buffers = new Tensor?[Parameters.Length];
        _momentum = momentum;
        _momentumScalar = momentum.ToScalar();
    }

    public override void Update()
    {
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
