using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

/// <summary>
/// One stage of a model's forward pass, cut at a layer boundary, with the parameters it owns. A model's stages, applied
/// in order, are its forward pass; their parameters, in order, are the model's. Backward can then run stage by stage,
/// last first, and each stage's gradients are final as soon as its backward has run: what lets the exchange of a
/// gradient bucket start while backward continues (`--bucket-mb`), as DDP's autograd hooks do.
/// </summary>
public sealed record ModelStage(Func<Tensor, Tensor> Forward, IReadOnlyList<TorchSharp.Modules.Parameter> Parameters)
{
    public long Elements => Parameters.Sum(p => p.numel());

    /// <summary>
    /// Cuts a chain of modules into stages at its layers: a stage begins at each module with parameters after the first
    /// of the chain, and the modules without (activations, dropout) stay with the layer before them.
    /// </summary>
    /// <param name="first">Applied to the input of the first stage (a flatten, say).</param>
    public static IReadOnlyList<ModelStage> AtLayers(IEnumerable<nn.Module> modules, Func<Tensor, Tensor>? first = null)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var groups = new List<List<nn.Module<Tensor, Tensor>>>();
        var current = new List<nn.Module<Tensor, Tensor>>();
        var currentHasLayer = false;
        foreach (var module in modules)
        {
            var chained = module as nn.Module<Tensor, Tensor> ?? throw new ArgumentException($"{module.GetName()} does not map a tensor to a tensor", nameof(modules));
            var isLayer = module.parameters().Any();
            if (isLayer && currentHasLayer)
            {
                groups.Add(current);
                current = [];
                currentHasLayer = false;
            }

            current.Add(chained);
            currentHasLayer |= isLayer;
        }

        if (current.Count > 0)
        {
            groups.Add(current);
        }

        return [.. groups.Select((group, index) => new ModelStage(
            input =>
            {
                var x = index == 0 && first is not null ? first(input) : input;
                foreach (var module in group)
                {
                    x = module.forward(x);
                }

                return x;
            },
            [.. group.SelectMany(m => m.parameters())]))];
    }
}

/// <summary>A model whose forward pass can run in stages (see <see cref="ModelStage"/>).</summary>
public interface IStagedModel
{
    IReadOnlyList<ModelStage> Stages();
}
