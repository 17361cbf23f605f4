using ClusterTrainer.Core;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

/// <summary>Left-right mirroring of image batches (<see cref="AugmentKind.Flip"/>), shaped [samples, channels, rows, cols].</summary>
public static class ImageMirror
{
    /// <summary>The training batch with each sample mirrored or not as <see cref="MirrorDraw"/> draws it from its key.</summary>
    public static Tensor Train(Tensor images, long[] sampleKeys)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(sampleKeys);
        if (images.dim() != 4 || images.shape[0] != sampleKeys.Length)
        {
            throw new ArgumentException($"mirroring needs a batch shaped [{sampleKeys.Length}, channels, rows, cols]; got [{string.Join(", ", images.shape)}]", nameof(images));
        }

        using var mirrored = tensor(MirrorDraw.For(sampleKeys), [sampleKeys.Length, 1, 1, 1], device: images.device);
        return where(mirrored, Mirror(images), images);
    }

    /// <summary>Every image of the batch mirrored.</summary>
    public static Tensor Mirror(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        return images.flip(images.dim() - 1);
    }
}
