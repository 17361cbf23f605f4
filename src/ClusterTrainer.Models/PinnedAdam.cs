using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

/// <summary>
/// Adam (Kingma and Ba, 2015) as torch.optim.Adam computes it without weight decay or amsgrad, written out so that
/// every scalar it hands to libtorch is pinned (see <see cref="IPinnedOptimizer"/>): the alpha of add_ is always
/// given explicitly, since add_ otherwise passes a hidden temporary one.
/// </summary>
public sealed class PinnedAdam : PinnedOptimizer
{
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;

    private readonly Tensor[] _firstMoments;
    private readonly Tensor[] _secondMoments;
    private readonly Scalar _beta1 = Beta1.ToScalar();
    private readonly Scalar _oneMinusBeta1 = (1 - Beta1).ToScalar();
    private readonly Scalar _beta2 = Beta2.ToScalar();
    private readonly Scalar _oneMinusBeta2 = (1 - Beta2).ToScalar();
    private readonly Scalar _epsilon;
    private readonly Scalar _one = 1.0.ToScalar();
    private long _steps;

    public PinnedAdam(IEnumerable<TorchSharp.Modules.Parameter> parameters, double learningRate, double epsilon = 1e-8)
        : base(parameters, learningRate)
    {
        _firstMoments = [.. Parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        _secondMoments = [.. Parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        _epsilon = epsilon.ToScalar();
    }

    /// <summary>The first moments, then the second moments.</summary>
    public override int StateLength => 2 * ParameterCount;

    public override OptimizerState ExportState()
    {
        var values = new float[StateLength];
        var half = values.Length / 2;
        Flatten(_firstMoments, values.AsSpan(0, half));
        Flatten(_secondMoments, values.AsSpan(half));
        return new OptimizerState(_steps, values);
    }

    public override void ImportState(OptimizerState state)
    {
        RequireLength(state);
        var half = state.Values.Length / 2;
        Unflatten(state.Values.AsSpan(0, half), _firstMoments);
        Unflatten(state.Values.AsSpan(half), _secondMoments);
        _steps = state.Steps;
    }

    public override void Update()
    {
        _steps++;
        var correction1 = 1 - Math.Pow(Beta1, _steps);
        var correction2 = 1 - Math.Pow(Beta2, _steps);
        using var stepSize = (-LearningRate / correction1).ToScalar();
        using var correction2Root = Math.Sqrt(correction2).ToScalar();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (var i = 0; i < Parameters.Length; i++)
        {
            var gradient = Parameters[i].grad;
            if (gradient is null)
            {
                continue;
            }

            _firstMoments[i].mul_(_beta1).add_(gradient, _oneMinusBeta1);
            _secondMoments[i].mul_(_beta2).addcmul_(gradient, gradient, _oneMinusBeta2);
            var denominator = _secondMoments[i].sqrt().div_(correction2Root).add_(_epsilon, _one);
            Parameters[i].addcdiv_(_firstMoments[i], denominator, stepSize);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        foreach (var tensor in _firstMoments.Concat(_secondMoments))
        {
            tensor.Dispose();
        }

        _beta1.Dispose();
        _oneMinusBeta1.Dispose();
        _beta2.Dispose();
        _oneMinusBeta2.Dispose();
        _epsilon.Dispose();
        _one.Dispose();
    }
}
