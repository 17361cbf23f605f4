namespace ClusterTrainer.Exchange.Compact;

/// <summary>
/// Gradients as bfloat16 for the wire (<c>--exchange-precision bf16</c>): the top 16 bits of each float32, rounded to
/// nearest even, so the exchange moves half the bytes. bfloat16 keeps float32's exponent range and 8 of its 24
/// significand bits (a relative error of at most 2^-8 per rounding).
/// </summary>
/// <remarks>Sums are taken in float32 and rounded back, so a sum of two values is rounded once.</remarks>
public sealed class Bf16Vector
{
    public Bf16Vector(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Values = new ushort[length];
    }

    /// <summary>The bfloat16 bit patterns.</summary>
    public ushort[] Values { get; }

    public int Length => Values.Length;

    /// <summary>Rounds <paramref name="source"/> (its length is this vector's) into this vector.</summary>
    public void Encode(ReadOnlySpan<float> source)
    {
        if (source.Length != Length)
        {
            throw new ArgumentException($"{source.Length} values for a bf16 vector of {Length}", nameof(source));
        }

        for (var i = 0; i < source.Length; i++)
        {
            Values[i] = ToBf16(source[i]);
        }
    }

    /// <summary>Widens this vector into <paramref name="destination"/> (exact: every bfloat16 is a float32).</summary>
    public void Decode(Span<float> destination)
    {
        if (destination.Length != Length)
        {
            throw new ArgumentException($"{destination.Length} values for a bf16 vector of {Length}", nameof(destination));
        }

        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = ToFloat(Values[i]);
        }
    }

    /// <summary>target[i] = bf16(target[i] + addend[i]), the sum taken in float32.</summary>
    public static void Add(Span<ushort> target, ReadOnlySpan<ushort> addend)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = ToBf16(ToFloat(target[i]) + ToFloat(addend[i]));
        }
    }

    /// <summary>float32 to bfloat16, rounded to nearest, ties to even; NaN stays NaN (quiet), infinities stay infinite.</summary>
    public static ushort ToBf16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x0040);
        }

        var roundingBias = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    public static float ToFloat(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);
}
