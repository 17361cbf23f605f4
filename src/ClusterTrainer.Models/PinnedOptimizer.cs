namespace ClusterTrainer.Models;

/// <summary>What every pinned optimizer shares: its parameters, the settable rate and zeroing the gradients.</summary>
public abstract class PinnedOptimizer(IEnumerable<TorchSharp.Modules.Parameter> parameters, double learningRate) : IPinnedOptimizer
{
    protected TorchSharp.Modules.Parameter[] Parameters { get; } = [.. parameters];

    public double LearningRate { get; set; } = learningRate;

    public void ZeroGrad()
    {
        foreach (var parameter in Parameters)
        {
            parameter.grad?.zero_();
        }
    }

    public abstract void Update();

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
