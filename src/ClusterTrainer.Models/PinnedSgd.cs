using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

/// <summary>
/// Stochastic gradient descent with optional momentum as torch.optim.SGD computes it (no dampening, no Nesterov,
/// no weight decay: the momentum buffer starts as the first gradient, then b = m b + g; p -= lr b), with every
/// scalar pinned (see <see cref="IPinnedOptimizer"/>). Momentum 0 is plain gradient descent: p -= lr g.
/// </summary>
public sealed class PinnedSgd : IPinnedOptimizer
{
    private readonly TorchSharp.Modules.Parameter[] _parameters;
    private readonly Tensor?[] _buffers;
    private readonly double _momentum;
    private readonly Scalar _momentumScalar;
    private readonly Scalar _one = 1.0.ToScalar();

    public PinnedSgd(IEnumerable<TorchSharp.Modules.Parameter> parameters, double learningRate, double momentum)
    {
        _parameters = [.. parameters];
        _buffers = new Tensor?[_parameters.Length];
        LearningRate = learningRate;
        _momentum = momentum;
        _momentumScalar = momentum.ToScalar();
    }

    public double LearningRate { get; set; }

    public void ZeroGrad()
    {
        foreach (var parameter in _parameters)
        {
            parameter.grad?.zero_();
        }
    }

    public void Update()
    {
        using var minusRate = (-LearningRate).ToScalar();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var gradient = _parameters[i].grad;
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

            _parameters[i].add_(direction, minusRate);
        }
    }

    public void Dispose()
    {
        foreach (var buffer in _buffers)
        {
            buffer?.Dispose();
        }

        _momentumScalar.Dispose();
        _one.Dispose();
    }
}
