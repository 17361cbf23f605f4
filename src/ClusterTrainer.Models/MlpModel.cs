using ClusterTrainer.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

/// <summary>The lecture's ANN: input flattened, hidden layers with one activation, then class logits.</summary>
public sealed class MlpModel : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> _layers;

    public MlpModel(int inputSize, IReadOnlyList<int> hidden, int classes, Activation activation)
        : base(nameof(MlpModel))
    {
        var modules = new List<nn.Module<Tensor, Tensor>>();
        var width = inputSize;
        foreach (var size in hidden)
        {
            modules.Add(nn.Linear(width, size));
            modules.Add(ActivationLayer.Create(activation));
            width = size;
        }

        modules.Add(nn.Linear(width, classes));
        _layers = nn.Sequential(modules);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => _layers.forward(input.flatten(1));
}
