using System.Globalization;
using ClusterTrainer.Core;

namespace ClusterTrainer.Models;

/// <summary>
/// How big a model will be before it is built: its parameter count (the same arithmetic as the modules in this
/// project), and the memory training it takes. A layer size typed with a few digits too many would otherwise ask
/// libtorch for terabytes and fail with a page of native stack frames.
/// </summary>
public static class ModelSize
{
    /// <summary>Parameters of the model <see cref="ModelFactory.Create"/> builds for these settings and data.</summary>
    public static long Parameters(TrainingSettings settings, IReadOnlyList<int> sampleShape, int classes)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sampleShape);
        static long Linear(long inputs, long outputs) => (inputs * outputs) + outputs;
        var inputSize = sampleShape.Aggregate(1L, (a, b) => a * b);
        long hidden = settings.Hidden[0];
        switch (settings.Model)
        {
            case ModelKind.Cnn when sampleShape.Count == 3:
                var height = (((sampleShape[1] - 2) / 2) - 2) / 2;
                var width = (((sampleShape[2] - 2) / 2) - 2) / 2;
                return Linear(sampleShape[0] * 9L, 32) + Linear(32 * 9L, 64) + Linear(64L * Math.Max(1, height) * Math.Max(1, width), hidden) + Linear(hidden, classes);
            case ModelKind.Rnn when sampleShape.Count == 3:
                // A GRU has three gates, each with input and hidden weights and two biases.
                long rowSize = sampleShape[2];
                return (3 * ((rowSize * hidden) + (hidden * hidden) + (2 * hidden))) + Linear(hidden, classes);
            default:
                var total = 0L;
                var width0 = inputSize;
                foreach (var size in settings.Hidden)
                {
                    total += Linear(width0, size);
                    width0 = size;
                }

                return total + Linear(width0, classes);
        }
    }

    /// <summary>Bytes one replica holds while training: weights, gradients and the optimizer's state (momentum, or Adam's two moments).</summary>
    public static double TrainingBytes(TrainingSettings settings, IReadOnlyList<int> sampleShape, int classes)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var optimizerCopies = settings.Optimizer == OptimizerKind.Adam ? 2 : 1;
        return Parameters(settings, sampleShape, classes) * (double)sizeof(float) * (2 + optimizerCopies);
    }

    /// <summary>The memory this process may use (the machine's, or the container's limit).</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <exception cref="SettingsException">naming --hidden when <paramref name="replicas"/> replicas need more than <paramref name="availableBytes"/>.</exception>
    public static void RequireFits(TrainingSettings settings, IReadOnlyList<int> sampleShape, int classes, int replicas, long availableBytes)
    {
        var needed = TrainingBytes(settings, sampleShape, classes) * replicas;
        if (needed <= availableBytes)
        {
            return;
        }

        var parameters = Parameters(settings, sampleShape, classes);
        throw new SettingsException("--hidden", string.Create(CultureInfo.InvariantCulture,
            $"a {settings.Model.ToString().ToLowerInvariant()} with hidden size {string.Join(",", settings.Hidden)} has {parameters:N0} parameters; " +
            $"training {replicas} replica{(replicas == 1 ? string.Empty : "s")} of it needs about {Gigabytes(needed)} (weights, gradients, optimizer state), " +
            $"more than the {Gigabytes(availableBytes)} of memory here. Use smaller layers"));
    }

    private static string Gigabytes(double bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):N1} GiB");
}
