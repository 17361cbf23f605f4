using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

/// <summary>
/// A GRU that reads an image row by row (28 steps of 28 pixels) and classifies from its last state (after dropout,
/// none at rate 0).
/// </summary>
public sealed class RnnModel : nn.Module<Tensor, Tensor>, IStagedModel
{
    private readonly TorchSharp.Modules.GRU _gru;
    private readonly nn.Module<Tensor, Tensor> _classifier;
    private readonly nn.Module<Tensor, Tensor>? _dropout;

    public RnnModel(int rowSize, int hidden, int classes, double dropout = 0, DropoutKeys? keys = null)
        : base(nameof(RnnModel))
    {
        _gru = nn.GRU(rowSize, hidden, numLayers: 1, batchFirst: true);
        _classifier = nn.Linear(hidden, classes);
        _dropout = SampleDropout.Optional(dropout, 0, keys ?? new DropoutKeys()).SingleOrDefault();
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => _classifier.forward(LastState(input));

    /// <summary>The GRU (with the dropout of its last state), then the classifier.</summary>
    public IReadOnlyList<ModelStage> Stages() =>
        [new ModelStage(LastState, [.. _gru.parameters()]), new ModelStage(_classifier.forward, [.. _classifier.parameters()])];

    private Tensor LastState(Tensor input)
    {
        // [batch, 1, rows, cols] -> [batch, rows, cols]: each row is one time step.
        var sequence = input.reshape(input.shape[0], input.shape[^2], input.shape[^1]);
        var (_, last) = _gru.forward(sequence);
        var state = last[-1];
        return _dropout is null ? state : _dropout.forward(state);
    }
}
