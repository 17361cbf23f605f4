using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

/// <summary>
/// The lecture's CNN: conv 3x3x32 + ReLU + max-pool 2, conv 3x3x64 + ReLU + max-pool 2, FC 256 + ReLU, FC 10.
/// Valid convolutions, as in the lecture: 28 -> 26 -> 13 -> 11 -> 5, so the flattened size is 64 x 5 x 5.
/// Dropout, as the lecture's later sections add it, on the flattened convolutional features and on the FC layer's
/// output (none at rate 0).
/// </summary>
public sealed class CnnModel : nn.Module<Tensor, Tensor>, IStagedModel
{
    private readonly nn.Module<Tensor, Tensor> _features;
    private readonly nn.Module<Tensor, Tensor> _classifier;

    public CnnModel(int channels, int height, int width, int hidden, int classes, double dropout = 0, DropoutKeys? keys = null)
        : base(nameof(CnnModel))
    {
        _features = nn.Sequential(
            nn.Conv2d(channels, 32, 3),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3),
            nn.ReLU(),
            nn.MaxPool2d(2));
        var h = (((height - 2) / 2) - 2) / 2;
        var w = (((width - 2) / 2) - 2) / 2;
        if (h < 1 || w < 1)
        {
            throw new ArgumentException($"The CNN needs images of at least 10x10 pixels; got {height}x{width}.");
        }

        keys ??= new DropoutKeys();
        _classifier = nn.Sequential(
        [
            .. SampleDropout.Optional(dropout, 0, keys),
            nn.Linear(64 * h * w, hidden),
            nn.ReLU(),
            .. SampleDropout.Optional(dropout, 1, keys),
            nn.Linear(hidden, classes),
        ]);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => _classifier.forward(Features(input));

    /// <summary>The convolutions as one stage (a small share of the parameters), then each fully connected layer.</summary>
    public IReadOnlyList<ModelStage> Stages() =>
        [new ModelStage(Features, [.. _features.parameters()]), .. ModelStage.AtLayers(_classifier.children())];

    private Tensor Features(Tensor input) => _features.forward(input).flatten(1);
}
