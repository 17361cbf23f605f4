using ClusterTrainer.Exchange.Exact;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClusterTrainer.Exchange.Tests.Exact;

public class FixedPointSumTests
{
    // Gradient-like vectors: magnitudes spread over many binary orders, some exact zeros, lengths across the SIMD width.
    private static Gen<float[][]> Terms() =>
        from count in Gen.Choose(1, 12)
        from length in Gen.Choose(0, 70)
        from seed in Gen.Choose(0, 1_000_000)
        select Enumerable.Range(0, count).Select(t => RandomVector(new Random(seed + (t * 7919)), length)).ToArray();

    [Property(MaxTest = 200)]
    public Property Should_give_the_same_bits_whatever_the_order_and_grouping_of_the_terms()
    {
        var cases = from terms in Terms()
                    from seed in Gen.Choose(0, 1_000_000)
                    from groups in Gen.Choose(1, 5)
                    select (terms, seed, groups);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var length = c.terms[0].Length;
            var exponent = FixedPointSum.ExponentFor(MaxAbs(c.terms), c.terms.Length);

            var inOrder = new long[length];
            foreach (var term in c.terms)
            {
                FixedPointSum.Accumulate(term, exponent, inOrder);
            }

            // Shuffled and dealt to "workers" that sum their share, then the shares are summed: a ring in miniature.
            var shuffled = c.terms.OrderBy(_ => new Random(c.seed).Next()).ToArray();
            var shares = Enumerable.Range(0, c.groups).Select(_ => new long[length]).ToArray();
            for (var t = 0; t < shuffled.Length; t++)
            {
                FixedPointSum.Accumulate(shuffled[t], exponent, shares[t % c.groups]);
            }

            var dealt = new long[length];
            foreach (var share in shares.Reverse())
            {
                for (var i = 0; i < length; i++)
                {
                    dealt[i] += share[i];
                }
            }

            return inOrder.SequenceEqual(dealt);
        });
    }

    [Property(MaxTest = 200)]
    public Property Should_decode_within_a_bounded_error_of_the_exact_sum()
    {
        return Prop.ForAll(Terms().ToArbitrary(), terms =>
        {
            var length = terms[0].Length;
            var max = MaxAbs(terms);
            var exponent = FixedPointSum.ExponentFor(max, terms.Length);
            var sums = new long[length];
            foreach (var term in terms)
            {
                FixedPointSum.Accumulate(term, exponent, sums);
            }

            var decoded = new float[length];
            FixedPointSum.Decode(sums, exponent, decoded);
            for (var i = 0; i < length; i++)
            {
                var exact = terms.Sum(term => (double)term[i]);
                var magnitudes = terms.Sum(term => Math.Abs((double)term[i]));

                // Each term rounds by at most half a unit of 2^-exponent and the result by half a float ulp (2^-24
                // relative); the last part allows for the reference sum's own double rounding.
                var bound = (terms.Length * 0.5 * Math.ScaleB(1.0, -exponent)) + (Math.Abs(exact) * Math.ScaleB(1.0, -24)) + (magnitudes * terms.Length * Math.ScaleB(1.0, -52));
                if (Math.Abs(decoded[i] - exact) > bound)
                {
                    return false;
                }
            }

            return true;
        });
    }

    [Property(MaxTest = 300)]
    public Property Should_never_let_a_sum_of_the_largest_terms_overflow()
    {
        var cases = from bits in Gen.Choose(int.MinValue, int.MaxValue)
                    from terms in Gen.Choose(1, 5000)
                    select (value: BitConverter.Int32BitsToSingle(bits & 0x7FFF_FFFF), terms);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            if (!float.IsFinite(c.value))
            {
                return true;
            }

            var exponent = FixedPointSum.ExponentFor(c.value, c.terms);
            var one = new long[1];
            FixedPointSum.Accumulate([c.value], exponent, one);

            // Every term has magnitude at most the maximum, so this many of the largest bound any sum.
            return one[0] >= 0 && (Int128)one[0] * c.terms <= (Int128)1 << FixedPointSum.Budget;
        });
    }

    [Fact]
    public void Should_use_the_same_rounding_in_the_vector_and_the_scalar_path()
    {
        // Ties at every position: 0.5 and 1.5 units round to even (0 and 2) in both paths.
        var values = Enumerable.Range(0, 37).Select(i => (i % 2 == 0 ? 0.5f : 1.5f) * (i % 3 == 0 ? -1 : 1)).ToArray();
        var sums = new long[values.Length];
        FixedPointSum.Accumulate(values, 0, sums);
        Assert.Equal(values.Select(v => (long)Math.Round((double)v)).ToArray(), sums);
    }

    [Fact]
    public void Should_refuse_a_maximum_that_is_not_finite()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FixedPointSum.ExponentFor(float.NaN, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => FixedPointSum.ExponentFor(float.PositiveInfinity, 2));
    }

    private static float MaxAbs(float[][] terms) => terms.SelectMany(t => t).Select(Math.Abs).DefaultIfEmpty(0f).Max();

    private static float[] RandomVector(Random random, int length) =>
        Enumerable.Range(0, length)
            .Select(_ => random.Next(10) == 0 ? 0f : (float)((random.NextDouble() - 0.5) * Math.ScaleB(1.0, random.Next(-30, 10))))
            .ToArray();
}
