using ClusterTrainer.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

/// <summary>The lecture's ANN: input flattened, hidden layers with one activation (each followed by dropout, none at rate 0), then class logits.</summary>
public sealed class MlpModel : nn.Module<Tensor, Tensor>, IStagedModel
{
    private readonly nn.Module<Tensor, Tensor> _layers;

    public MlpModel(int inputSize, IReadOnlyList<int> hidden, int classes, Activation activation, double dropout = 0, DropoutKeys? keys = null)
        : base(nameof(MlpModel))
    {
        var modules = new List<nn.Module<Tensor, Tensor>>();
        var width = inputSize;
        keys ??= new DropoutKeys();
        for (var layer = 0; layer < hidden.Count; layer++)
        {
            modules.Add(nn.Linear(width, hidden[layer]));
            modules.Add(ActivationLayer.Create(activation));
            modules.AddRange(SampleDropout.Optional(dropout, layer, keys));
            width = hidden[layer];
        }

        modules.Add(nn.Linear(width, classes));
        _layers = nn.Sequential(modules);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => _layers.forward(input.flatten(1));

    /// <summary>Each layer with its activation and dropout.</summary>
    public IReadOnlyList<ModelStage> Stages() => ModelStage.AtLayers(_layers.children(), input => input.flatten(1));
}
