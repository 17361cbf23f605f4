using ClusterTrainer.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

public static class ModelFactory
{
    /// <summary>Builds the model the settings name for samples of <paramref name="sampleShape"/>; refuses one that cannot fit in memory.</summary>
    /// <param name="keys">Where the model's dropout reads the keys of the samples it trains on; null for a model that is only evaluated.</param>
    public static nn.Module<Tensor, Tensor> Create(TrainingSettings settings, IReadOnlyList<int> sampleShape, int classes, DropoutKeys? keys = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ModelSize.RequireFits(settings, sampleShape, classes, replicas: 1, ModelSize.AvailableBytes);
        var inputSize = sampleShape.Aggregate(1, (a, b) => a * b);
        return settings.Model switch
        {
            ModelKind.Mlp or ModelKind.Tabular => new MlpModel(inputSize, settings.Hidden, classes, settings.Activation, settings.Dropout, keys),
            ModelKind.Cnn when sampleShape.Count == 3 => new CnnModel(sampleShape[0], sampleShape[1], sampleShape[2], settings.Hidden[0], classes, settings.Dropout, keys),
            ModelKind.Rnn when sampleShape.Count == 3 && sampleShape[0] == 1 => new RnnModel(sampleShape[2], settings.Hidden[0], classes, settings.Dropout, keys),
            ModelKind.Cnn or ModelKind.Rnn => throw new SettingsException("--model",
                $"{settings.Model.ToString().ToLowerInvariant()} needs images (samples shaped [1, rows, cols]); this data has samples shaped [{string.Join(", ", sampleShape)}]. Use --model tabular or mlp for tabular data."),
            _ => throw new SettingsException("--model", $"unknown model '{settings.Model}'"),
        };
    }

    /// <summary>TorchSharp's own optimizer: the textbook loop that benchmarks compare with (<see cref="PlainTrainingLoop"/>).</summary>
    public static optim.Optimizer CreateOptimizer(TrainingSettings settings, IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Optimizer switch
        {
            OptimizerKind.Sgd => optim.SGD(parameters, settings.LearningRate, momentum: settings.Momentum),
            OptimizerKind.Adam => optim.Adam(parameters, settings.LearningRate, eps: settings.AdamEpsilon),
            _ => throw new SettingsException("--optimizer", $"unknown optimizer '{settings.Optimizer}'"),
        };
    }

    /// <summary>The same update with every scalar pinned (<see cref="IPinnedOptimizer"/>): what jobs train with.</summary>
    public static IPinnedOptimizer CreatePinnedOptimizer(TrainingSettings settings, IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Optimizer switch
        {
            OptimizerKind.Sgd => new PinnedSgd(parameters, settings.LearningRate, settings.Momentum),
            OptimizerKind.Adam => new PinnedAdam(parameters, settings.LearningRate, settings.AdamEpsilon),
            _ => throw new SettingsException("--optimizer", $"unknown optimizer '{settings.Optimizer}'"),
        };
    }
}
