namespace ClusterTrainer.Core;

/// <summary>
/// The dropout masks of a training step, as a pure function of (seed, epoch, sample, layer, feature).
/// </summary>
/// <remarks>
/// libtorch's dropout draws its mask from a generator in batch order, so the mask a sample gets depends on which
/// worker computes it and where in that worker's batch it sits: two workers would train other networks than one,
/// and no checksum could compare them. Here each sample's mask comes from a counter-based hash (SplitMix64) of its
/// key, the layer and the feature index: a sample gets the same mask on any worker, in any micro-batch, after any
/// resume, and a new one in every epoch.
/// </remarks>
public static class DropoutMask
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>The key of dataset sample <paramref name="index"/> in <paramref name="epoch"/>: unique within the run.</summary>
    public static long SampleKey(int seed, int epoch, int index) =>
        ((long)SeedMixer.Mix(seed, epoch) << 32) | (uint)index;

    /// <summary>The keys of the samples at <paramref name="indices"/> (a step's assignment), in that order.</summary>
    public static long[] SampleKeys(int seed, int epoch, ReadOnlySpan<int> indices)
    {
        var keys = new long[indices.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = SampleKey(seed, epoch, indices[i]);
        }

        return keys;
    }

    /// <summary>
    /// Fills <paramref name="mask"/> (one sample's features of one layer) with 0 for a dropped feature and
    /// 1 / (1 - rate) for a kept one, so the expected activation is unchanged (inverted dropout, as libtorch's).
    /// </summary>
    public static void Fill(Span<float> mask, long sampleKey, int layer, double rate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rate);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rate, 1.0);
        // A draw is the top 24 bits of the hash, uniform on [0, 2^24): dropped when below rate x 2^24.
        var threshold = (ulong)Math.Round(rate * (1 << 24));
        var kept = (float)(1.0 / (1.0 - rate));
        var state = SeedMixer.Finalize(unchecked((ulong)sampleKey + ((ulong)(uint)layer * 0xD1B54A32D192ED03UL)));
        for (var j = 0; j < mask.Length; j++)
        {
            state = unchecked(state + Golden);
            mask[j] = (SeedMixer.Finalize(state) >> 40) < threshold ? 0f : kept;
        }
    }
}
