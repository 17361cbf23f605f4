using ClusterTrainer.Core;
using ClusterTrainer.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// The pinned optimizers that jobs train with make the same updates as TorchSharp's own (which the benchmarks'
/// textbook loop keeps): same parameters after several steps at changing learning rates, zero momentum included.
/// </summary>
public sealed class PinnedOptimizerTests
{
    [Theory]
    [InlineData(OptimizerKind.Sgd, 0.0)]
    [InlineData(OptimizerKind.Sgd, 0.9)]
    [InlineData(OptimizerKind.Adam, 0.0)]
    public void A_pinned_optimizer_should_update_as_torchsharps_own(OptimizerKind kind, double momentum)
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Optimizer = kind, Momentum = momentum, LearningRate = 0.05 };
        using var scope = NewDisposeScope();
        random.manual_seed(7);
        var pinnedModel = nn.Linear(6, 3);
        var referenceModel = nn.Linear(6, 3);
        referenceModel.load_state_dict(pinnedModel.state_dict());
        using var pinned = ModelFactory.CreatePinnedOptimizer(settings, pinnedModel.parameters());
        using var reference = ModelFactory.CreateOptimizer(settings, referenceModel.parameters());

        for (var step = 0; step < 6; step++)
        {
            var inputs = randn(8, 6);
            var rate = 0.05 / (step + 1);
            pinned.ZeroGrad();
            pinnedModel.forward(inputs).square().sum().backward();
            pinned.LearningRate = rate;
            pinned.Update();

            reference.zero_grad();
            referenceModel.forward(inputs).square().sum().backward();
            foreach (var group in reference.ParamGroups)
            {
                group.LearningRate = rate;
            }

            reference.step();
        }

        foreach (var (a, b) in pinnedModel.parameters().Zip(referenceModel.parameters()))
        {
            var difference = (a - b).abs().max().item<float>();
            Assert.True(difference < 1e-6f, $"{kind} momentum {momentum}: parameters differ by {difference}");
        }
    }
}
