namespace ClusterTrainer.Core.Tests;

public class MirrorDrawTests
{
    [Fact]
    public void About_half_of_the_samples_should_be_mirrored_in_an_epoch()
    {
        var keys = DropoutMask.SampleKeys(seed: 7, epoch: 1, [.. Enumerable.Range(0, 60_000)]);
        var share = MirrorDraw.For(keys).Count(mirrored => mirrored) / (double)keys.Length;
        // 60,000 draws: the share's standard deviation is about 0.002.
        Assert.InRange(share, 0.49, 0.51);
    }

    [Fact]
    public void A_sample_should_be_drawn_the_same_wherever_it_is_computed_and_afresh_each_epoch()
    {
        var indices = Enumerable.Range(0, 20_000).ToArray();
        var epochOne = MirrorDraw.For(DropoutMask.SampleKeys(3, 1, indices));
        Assert.Equal(epochOne, MirrorDraw.For(DropoutMask.SampleKeys(3, 1, indices)));
        Assert.Equal(epochOne[4242], MirrorDraw.IsMirrored(DropoutMask.SampleKeys(3, 1, [9, 4242])[1]));
        // Independent draws in another epoch or run agree on about half the samples, not all.
        Assert.InRange(Agreement(epochOne, MirrorDraw.For(DropoutMask.SampleKeys(3, 2, indices))), 0.48, 0.52);
        Assert.InRange(Agreement(epochOne, MirrorDraw.For(DropoutMask.SampleKeys(4, 1, indices))), 0.48, 0.52);
    }

    [Fact]
    public void The_draw_should_be_independent_of_the_samples_dropout_masks()
    {
        // Both hash the same keys: a shared stream would mirror exactly the samples whose first feature is dropped.
        var keys = DropoutMask.SampleKeys(5, 1, [.. Enumerable.Range(0, 20_000)]);
        var mask = new float[1];
        var dropped = keys.Select(key =>
        {
            DropoutMask.Fill(mask, key, layer: 0, rate: 0.5);
            return mask[0] == 0f;
        }).ToArray();
        Assert.InRange(Agreement(MirrorDraw.For(keys), dropped), 0.48, 0.52);
    }

    private static double Agreement(bool[] a, bool[] b) => a.Zip(b).Count(pair => pair.First == pair.Second) / (double)a.Length;
}
