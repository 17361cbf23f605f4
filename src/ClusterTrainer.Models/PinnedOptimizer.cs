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

    public abstract int StateLength { get; }

    public abstract OptimizerState ExportState();

    public abstract void ImportState(OptimizerState state);

    /// <summary>Floats in all parameters together: the length of one flattened buffer of each.</summary>
    protected int ParameterCount => checked((int)Parameters.Sum(p => p.numel()));

    /// <summary>Copies <paramref name="tensors"/> (one per parameter, same shapes) into <paramref name="destination"/> in order.</summary>
    protected static void Flatten(IReadOnlyList<TorchSharp.torch.Tensor> tensors, Span<float> destination)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var offset = 0;
        foreach (var tensor in tensors)
        {
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.detach().cpu().contiguous().bytes);
            values.CopyTo(destination[offset..]);
            offset += values.Length;
        }
    }

    /// <summary>Writes consecutive pieces of <paramref name="source"/> into <paramref name="tensors"/>, in order.</summary>
    protected static void Unflatten(ReadOnlySpan<float> source, IReadOnlyList<TorchSharp.torch.Tensor> tensors)
    {
        using var noGrad = TorchSharp.torch.no_grad();
        var offset = 0;
        foreach (var tensor in tensors)
        {
            var size = (int)tensor.numel();
            using var values = TorchSharp.torch.tensor(source.Slice(offset, size).ToArray(), tensor.shape);
            tensor.copy_(values);
            offset += size;
        }
    }

    protected void RequireLength(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Values.Length != StateLength || state.Steps < 0)
        {
            throw new ArgumentException($"{GetType().Name} state needs {StateLength} values and a step count of at least 0, got {state.Values.Length} values and {state.Steps} steps", nameof(state));
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected abstract void Dispose(bool disposing);
}
