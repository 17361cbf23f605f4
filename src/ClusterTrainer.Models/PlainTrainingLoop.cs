using System.Diagnostics;
using ClusterTrainer.Core;
using ClusterTrainer.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

/// <summary>
/// The baseline a benchmark compares the cluster with: the textbook TorchSharp loop (zero_grad, forward,
/// backward, step) on one thread, with the same model, batches, data path and thread count, no actors.
/// </summary>
public static class PlainTrainingLoop
{
    /// <returns>Samples trained and the seconds the loop took.</returns>
    public static (long Samples, double Seconds) Run(TrainingSettings settings, Dataset train, int threads)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(train);
        torch.set_num_threads(threads);
        var device = new Device(settings.Device);
        torch.random.manual_seed(settings.Seed);
        var keys = new DropoutKeys();
        using var model = ModelFactory.Create(settings, train.SampleShape, train.ClassCount, keys);
        model.to(device);
        using var optimizer = ModelFactory.CreateOptimizer(settings, model.parameters());
        var samples = 0L;
        var clock = Stopwatch.StartNew();
        for (var epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            var plan = new EpochPlan(settings.Seed, epoch, train.Count, settings.BatchSize, 1);
            for (var step = 0; step < plan.StepCount; step++)
            {
                using var scope = NewDisposeScope();
                var batch = SampleBatch.Gather(train, plan.GlobalBatch(step));
                var sampleKeys = DropoutMask.SampleKeys(settings.Seed, epoch, plan.GlobalBatch(step));
                keys.Set(sampleKeys);
                var (inputs, labels) = BatchTensors.Create(batch, train.SampleShape, device);
                if (settings.Augment == AugmentKind.Flip)
                {
                    inputs = ImageMirror.Train(inputs, sampleKeys);
                }

                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(inputs), labels);
                loss.backward();
                optimizer.step();
                samples += batch.Count;
            }
        }

        return (samples, clock.Elapsed.TotalSeconds);
    }
}
