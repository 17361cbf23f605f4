using ClusterTrainer.Exchange.Compact;

namespace ClusterTrainer.Exchange.Tests.Compact;

public class Bf16VectorTests
{
    [Theory]
    [InlineData(1.0f, (ushort)0x3F80)]
    [InlineData(-2.0f, (ushort)0xC000)]
    [InlineData(0.0f, (ushort)0x0000)]
    [InlineData(float.PositiveInfinity, (ushort)0x7F80)]
    [InlineData(float.NegativeInfinity, (ushort)0xFF80)]
    public void Exact_values_should_keep_their_bits(float value, ushort expected)
    {
        Assert.Equal(expected, Bf16Vector.ToBf16(value));
        Assert.Equal(value, Bf16Vector.ToFloat(expected));
    }

    [Fact]
    public void Rounding_should_go_to_the_nearest_and_ties_to_even()
    {
        // 1 + 2^-8 lies halfway between 1 (even mantissa) and 1 + 2^-7: it goes to 1.
        Assert.Equal(1.0f, Bf16Vector.ToFloat(Bf16Vector.ToBf16(1f + MathF.Pow(2, -8))));
        // 1 + 3 x 2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): it goes up.
        Assert.Equal(1f + MathF.Pow(2, -6), Bf16Vector.ToFloat(Bf16Vector.ToBf16(1f + (3 * MathF.Pow(2, -8)))));
        // Just above the halfway point goes up.
        Assert.Equal(1f + MathF.Pow(2, -7), Bf16Vector.ToFloat(Bf16Vector.ToBf16(1f + MathF.Pow(2, -8) + MathF.Pow(2, -20))));
        Assert.True(float.IsNaN(Bf16Vector.ToFloat(Bf16Vector.ToBf16(float.NaN))));
    }

    [Fact]
    public void Encoding_should_err_by_at_most_the_unit_roundoff_of_8_significant_bits()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 10_000).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 4)))).ToArray();
        var vector = new Bf16Vector(values.Length);
        vector.Encode(values);
        var decoded = new float[values.Length];
        vector.Decode(decoded);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.True(Math.Abs(decoded[i] - values[i]) <= Math.Abs(values[i]) * Math.Pow(2, -8), $"{values[i]} -> {decoded[i]}");
        }
    }

    [Fact]
    public void Add_should_sum_in_float_and_round_once()
    {
        ushort[] target = [Bf16Vector.ToBf16(1f), Bf16Vector.ToBf16(-3f)];
        ushort[] addend = [Bf16Vector.ToBf16(0.5f), Bf16Vector.ToBf16(3f)];
        Bf16Vector.Add(target, addend);
        Assert.Equal(1.5f, Bf16Vector.ToFloat(target[0]));
        Assert.Equal(0f, Bf16Vector.ToFloat(target[1]));
    }

    [Fact]
    public void A_vector_of_another_length_should_be_refused()
    {
        Assert.Throws<ArgumentException>(() => new Bf16Vector(3).Encode(new float[4]));
        Assert.Throws<ArgumentException>(() => new Bf16Vector(3).Decode(new float[2]));
    }
}
