namespace ClusterTrainer.Core.Tests;

public class DropoutMaskTests
{
    [Fact]
    public void A_sample_should_get_the_same_mask_wherever_it_is_computed_and_a_new_one_each_epoch_and_layer()
    {
        var key = DropoutMask.SampleKey(seed: 7, epoch: 3, index: 4242);
        Assert.Equal(key, DropoutMask.SampleKeys(7, 3, [1, 4242, 9])[1]);
        var first = Mask(key, layer: 0, 0.3);
        Assert.Equal(first, Mask(key, layer: 0, 0.3));
        Assert.NotEqual(first, Mask(key, layer: 1, 0.3));
        Assert.NotEqual(first, Mask(DropoutMask.SampleKey(7, 4, 4242), layer: 0, 0.3));
        Assert.NotEqual(first, Mask(DropoutMask.SampleKey(7, 3, 4243), layer: 0, 0.3));
        Assert.NotEqual(first, Mask(DropoutMask.SampleKey(8, 3, 4242), layer: 0, 0.3));
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.3)]
    [InlineData(0.5)]
    public void A_mask_should_drop_the_rate_and_scale_the_rest_to_keep_the_expected_activation(double rate)
    {
        var mask = Mask(DropoutMask.SampleKey(1, 1, 0), layer: 0, rate, features: 200_000);
        var kept = (float)(1 / (1 - rate));
        Assert.All(mask, value => Assert.True(value == 0f || value == kept, $"{value} is neither 0 nor {kept}"));
        var dropped = mask.Count(value => value == 0f) / (double)mask.Length;
        // 200,000 draws: the share's standard deviation is below 0.0012.
        Assert.InRange(dropped, rate - 0.006, rate + 0.006);
        Assert.InRange(mask.Average(value => (double)value), 0.99, 1.01);
    }

    [Fact]
    public void Rate_zero_should_keep_everything()
    {
        Assert.All(Mask(DropoutMask.SampleKey(1, 1, 0), layer: 0, 0), value => Assert.Equal(1f, value));
    }

    [Fact]
    public void Keys_of_different_samples_and_epochs_should_not_collide()
    {
        var keys = Enumerable.Range(1, 5).SelectMany(epoch => DropoutMask.SampleKeys(1, epoch, Enumerable.Range(0, 60_000).ToArray())).ToArray();
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    private static float[] Mask(long key, int layer, double rate, int features = 256)
    {
        var mask = new float[features];
        DropoutMask.Fill(mask, key, layer, rate);
        return mask;
    }
}
