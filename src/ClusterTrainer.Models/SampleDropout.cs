using ClusterTrainer.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

/// <summary>
/// Inverted dropout whose mask comes from each sample's key (<see cref="DropoutMask"/>) rather than from libtorch's
/// generator, so a sample is dropped the same way on any worker; the identity when evaluating.
/// </summary>
public sealed class SampleDropout : nn.Module<Tensor, Tensor>
{
    private readonly double _rate;
    private readonly int _layer;
    private readonly DropoutKeys _keys;

    /// <param name="layer">Which dropout of the model this is: layers of one sample get independent masks.</param>
    public SampleDropout(double rate, int layer, DropoutKeys keys)
        : base(nameof(SampleDropout))
    {
        _rate = rate;
        _layer = layer;
        _keys = keys;
    }

    /// <summary>
    /// The dropout layer of a model, or none at rate 0, so that a model without dropout has the modules (and the
    /// saved parameter names) it had before dropout existed.
    /// </summary>
    public static nn.Module<Tensor, Tensor>[] Optional(double rate, int layer, DropoutKeys keys) =>
        rate > 0 ? [new SampleDropout(rate, layer, keys)] : [];

    public override Tensor forward(Tensor input)
    {
        if (!training || _rate == 0)
        {
            // A new handle on the same tensor, as nn.Identity returns: Sequential disposes what each module got.
            return input.alias();
        }

        var rows = input.shape[0];
        var keys = _keys.For(rows);
        var features = checked((int)(input.numel() / Math.Max(1, rows)));
        var values = new float[rows * features];
        for (var row = 0; row < rows; row++)
        {
            DropoutMask.Fill(values.AsSpan(checked((int)(row * features)), features), keys[row], _layer, _rate);
        }

        // Left to the caller's dispose scope: backward reads the mask after this returns.
        var mask = tensor(values, input.shape, dtype: ScalarType.Float32);
        return input.mul(mask.to(input.dtype, input.device));
    }
}
