using System.Numerics;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>The reduction of the ring: adds a received chunk into the local buffer, SIMD-wide.</summary>
internal static class FloatAddition
{
    public static void AddInto(Span<float> target, ReadOnlySpan<float> addend)
    {
        if (target.Length != addend.Length)
        {
            throw new ArgumentException($"lengths differ: {target.Length} and {addend.Length}", nameof(addend));
        }

        var wide = MemoryMarshal.Cast<float, Vector<float>>(target);
        var wideAddend = MemoryMarshal.Cast<float, Vector<float>>(addend);
        for (var i = 0; i < wide.Length; i++)
        {
            wide[i] += wideAddend[i];
        }

        for (var i = wide.Length * Vector<float>.Count; i < target.Length; i++)
        {
            target[i] += addend[i];
        }
    }
}
