namespace ClusterTrainer.Core;

/// <summary>
/// Derives independent, reproducible seeds from a run seed and a stream index (epoch, worker, ...).
/// HashCode.Combine cannot be used: it is randomised per process, and every process of a cluster must
/// compute the same plan.
/// </summary>
public static class SeedMixer
{
    public static int Mix(int seed, int stream)
    {
        // SplitMix64 finaliser over the two 32-bit inputs.
        var z = unchecked(((ulong)(uint)seed << 32) | (uint)stream);
        z = Finalize(unchecked(z + 0x9E3779B97F4A7C15UL));
        return (int)(z & 0x7FFFFFFF);
    }

    /// <summary>SplitMix64's finaliser: every input bit moves about half the output bits (the draws of
    /// <see cref="DropoutMask"/> and <see cref="MirrorDraw"/> are it applied to a counter).</summary>
    public static ulong Finalize(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
