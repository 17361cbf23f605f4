using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

/// <summary>A module's parameters as one flat float array in module order, and back: how weights leave and enter tensors.</summary>
internal static class FlatParameters
{
    public static float[] Export(IReadOnlyList<TorchSharp.Modules.Parameter> parameters, int count)
    {
        var values = new float[count];
        var offset = 0;
        // detach().cpu().contiguous() makes wrappers nothing else references: an optimised build may let the GC
        // finalize one while libtorch still reads it (Release DQN runs crashed so). The scope holds them to the end.
        using var scope = NewDisposeScope();
        foreach (var parameter in parameters)
        {
            var cpu = parameter.detach().cpu().contiguous();
            var span = MemoryMarshal.Cast<byte, float>(cpu.bytes);
            span.CopyTo(values.AsSpan(offset));
            offset += span.Length;
        }

        return values;
    }

    public static void Import(IReadOnlyList<TorchSharp.Modules.Parameter> parameters, int count, ReadOnlySpan<float> values)
    {
        if (values.Length != count)
        {
            throw new ArgumentException($"Expected {count} parameter values, got {values.Length}.", nameof(values));
        }

        using var noGrad = no_grad();
        var offset = 0;
        foreach (var parameter in parameters)
        {
            var size = (int)parameter.numel();
            using var source = tensor(values.Slice(offset, size).ToArray(), parameter.shape);
            parameter.copy_(source);
            offset += size;
        }
    }
}
