using System.Numerics;

namespace ClusterTrainer.Exchange.Exact;

/// <summary>
/// An exact, order-independent sum of float vectors: every value is scaled by the same power of two, rounded to an
/// integer and added in int64. Integer addition is associative, so the sum has the same bits whatever the order of
/// the terms and however they are split between workers; a float sum does not (it rounds after every addition).
/// </summary>
/// <remarks>
/// The scale is shared by every term of one sum, so all workers must agree on it first: it follows from the largest
/// magnitude of any term (an all-reduce of each worker's maximum) and the number of terms. With a 62-bit budget, a
/// term rounds off at most 2^-(63 - log2(terms)) of that maximum, far below float32's own rounding of it.
/// </remarks>
public static class FixedPointSum
{
    /// <summary>Bits a sum may use: one below the sign bit is kept spare, so no sum of in-range terms overflows.</summary>
    public const int Budget = 62;

    /// <summary>
    /// The power of two that scales terms of magnitude at most <paramref name="maxAbs"/> so that
    /// <paramref name="terms"/> of them sum below 2^<see cref="Budget"/>.
    /// </summary>
    public static int ExponentFor(float maxAbs, int terms)
    {
        if (!float.IsFinite(maxAbs) || maxAbs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxAbs), maxAbs, "must be a finite magnitude");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(terms, 1);
        if (maxAbs == 0)
        {
            return 0;
        }

        // maxAbs < 2^magnitude, and terms <= 2^termBits.
        var magnitude = MathF.ILogB(maxAbs) + 1;
        var termBits = terms == 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)(terms - 1));
        return Budget - termBits - magnitude;
    }

    /// <summary>Adds round(value * 2^exponent) of every value into <paramref name="sums"/> (ties to even).</summary>
    public static void Accumulate(ReadOnlySpan<float> values, int exponent, Span<long> sums)
    {
        if (values.Length != sums.Length)
        {
            throw new ArgumentException($"lengths differ: {values.Length} values, {sums.Length} sums", nameof(sums));
        }

        // A power of two times a float is exact in double (no overflow in the exponents ExponentFor gives),
        // so the vector and the scalar path round the very same number.
        var scale = Math.ScaleB(1.0, exponent);
        var i = 0;
        var width = Vector<float>.Count;
        var half = Vector<long>.Count;
        for (; i <= values.Length - width; i += width)
        {
            Vector.Widen(new Vector<float>(values[i..]), out var low, out var high);
            var sumLow = new Vector<long>(sums[i..]) + Vector.ConvertToInt64(Vector.Round(low * scale));
            var sumHigh = new Vector<long>(sums[(i + half)..]) + Vector.ConvertToInt64(Vector.Round(high * scale));
            sumLow.CopyTo(sums[i..]);
            sumHigh.CopyTo(sums[(i + half)..]);
        }

        for (; i < values.Length; i++)
        {
            sums[i] += (long)Math.Round(values[i] * scale);
        }
    }

    /// <summary>Writes sum * 2^-exponent of every sum, rounded to float.</summary>
    public static void Decode(ReadOnlySpan<long> sums, int exponent, Span<float> destination)
    {
        if (sums.Length != destination.Length)
        {
            throw new ArgumentException($"lengths differ: {sums.Length} sums, {destination.Length} values", nameof(destination));
        }

        var scale = Math.ScaleB(1.0, -exponent);
        var i = 0;
        var width = Vector<float>.Count;
        var half = Vector<long>.Count;
        for (; i <= sums.Length - width; i += width)
        {
            var low = Vector.ConvertToDouble(new Vector<long>(sums[i..])) * scale;
            var high = Vector.ConvertToDouble(new Vector<long>(sums[(i + half)..])) * scale;
            Vector.Narrow(low, high).CopyTo(destination[i..]);
        }

        for (; i < sums.Length; i++)
        {
            destination[i] = (float)(sums[i] * scale);
        }
    }
}
