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
        RequireSuits(settings, sampleShape);
        ModelSize.RequireFits(settings, sampleShape, classes, replicas: 1, ModelSize.AvailableBytes);
        var inputSize = sampleShape.Aggregate(1, (a, b) => a * b);
        return settings.Model switch
        {
            ModelKind.Mlp or ModelKind.Tabular => new MlpModel(inputSize, settings.Hidden, classes, settings.Activation, settings.Dropout, keys),
            ModelKind.Cnn => new CnnModel(sampleShape[0], sampleShape[1], sampleShape[2], settings.Hidden[0], classes, settings.Dropout, keys),
            ModelKind.Rnn => new RnnModel(sampleShape[2], settings.Hidden[0], classes, settings.Dropout, keys),
            _ => throw new SettingsException("--model", $"unknown model '{settings.Model}'"),
        };
    }

    /// <summary>
    /// Refuses, by the setting's name, a model or augmentation that samples of <paramref name="sampleShape"/> cannot
    /// train: the CNN, the RNN and mirroring need images. Commands call it before a job starts; every replica again.
    /// </summary>
    public static void RequireSuits(TrainingSettings settings, IReadOnlyList<int> sampleShape)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sampleShape);
        var shape = string.Join(", ", sampleShape);
        var images = sampleShape.Count == 3 && (settings.Model != ModelKind.Rnn || sampleShape[0] == 1);
        if (settings.Model is ModelKind.Cnn or ModelKind.Rnn && !images)
        {
            throw new SettingsException("--model",
                $"{settings.Model.ToString().ToLowerInvariant()} needs images (samples shaped [1, rows, cols]); this data has samples shaped [{shape}]. Use --model tabular or mlp for tabular data.");
        }

        if (settings.Augment == AugmentKind.Flip && sampleShape.Count != 3)
        {
            throw new SettingsException("--augment", $"flip mirrors images left to right; this data has samples shaped [{shape}], not images. Fix: give --augment none");
        }
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
