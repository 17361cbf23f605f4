namespace ClusterTrainer.Core;

/// <summary>
/// Whether a training sample is mirrored (<see cref="AugmentKind.Flip"/>), as a pure function of its key
/// (<see cref="DropoutMask.SampleKey"/>: seed, epoch, sample).
/// </summary>
/// <remarks>
/// A random generator drawn in batch order would mirror a sample according to which worker computes it and where
/// in that worker's batch it sits, as libtorch's dropout would mask it: two workers would train another network
/// than one, and deterministic mode could not promise the same bits. Drawn from the key, a sample is mirrored the
/// same way on any worker, in any micro-batch and after any resume, and drawn afresh every epoch.
/// </remarks>
public static class MirrorDraw
{
    // Keeps these draws apart from the dropout masks', which hash the same keys with small layer numbers.
    private const ulong Stream = 0x632BE59BD9B4E019UL;

    /// <summary>True for about half of all keys, independently of every other key.</summary>
    public static bool IsMirrored(long sampleKey) =>
        (SeedMixer.Finalize(unchecked((ulong)sampleKey ^ Stream)) >> 63) == 1;

    /// <summary>One flag per key, in the keys' order.</summary>
    public static bool[] For(ReadOnlySpan<long> sampleKeys)
    {
        var mirrored = new bool[sampleKeys.Length];
        for (var i = 0; i < mirrored.Length; i++)
        {
            mirrored[i] = IsMirrored(sampleKeys[i]);
        }

        return mirrored;
    }
}
