using ClusterTrainer.Core;
using ClusterTrainer.Data;
using ClusterTrainer.Exchange;
using ClusterTrainer.Models;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// One deterministic step at the replica level, with the in-process exchange: the split of micro-batches between
/// workers must not change a bit of the gradient, a staged replica must give the same bits as an in-place one, and a
/// NaN on one worker must reach every worker (so all stop at the divergence check) instead of stalling the ring.
/// </summary>
public class ExactGradientStepTests
{
    private const int Batch = 30;
    private const int Micro = 7;

    private static readonly TrainingSettings Settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Hidden = [32], Deterministic = true, MicroBatch = Micro };

    [Theory]
    [InlineData(2, ExchangeStaging.Auto)]
    [InlineData(3, ExchangeStaging.Auto)]
    [InlineData(2, ExchangeStaging.Always)]
    public async Task Workers_sharing_the_micro_batches_should_end_with_the_bits_of_one_worker_with_all_of_them(int workers, ExchangeStaging staging)
    {
        var batch = SampleBatch.Range(TestData.FashionSample.Train, 0, Batch);
        var alone = (await RunAsync(1, batch, Settings))[0];
        var shared = await RunAsync(workers, batch, Settings with { ExchangeStaging = staging });

        Assert.Contains(alone, value => value != 0);
        Assert.All(shared, gradient => Assert.Equal(alone, gradient));
    }

    [Fact]
    public async Task A_nan_on_one_worker_should_leave_every_worker_with_a_nan_gradient()
    {
        var batch = SampleBatch.Range(TestData.FashionSample.Train, 0, Batch);
        var gradients = await RunAsync(2, batch, Settings, poisonRank: 1);

        Assert.All(gradients, gradient => Assert.Contains(gradient, float.IsNaN));
    }

    /// <returns>Each worker's gradient after the step.</returns>
    private static async Task<float[][]> RunAsync(int workers, SampleBatch batch, TrainingSettings settings, int poisonRank = -1)
    {
        using var group = new InProcessExchangeGroup(workers, TimeSpan.FromSeconds(30));
        var ranks = Enumerable.Range(0, workers).Select(rank => Task.Factory.StartNew(
            () =>
            {
                UseOneThread();
                using var replica = new Replica(settings, [1, 28, 28], 10, initSeed: 5);
                if (rank == poisonRank)
                {
                    var parameters = replica.ExportParameters();
                    parameters[0] = float.NaN;
                    replica.ImportParameters(parameters);
                }

                var (offset, count) = MicroBatches.DealtTo(batch.Count, Micro, workers, rank);
                var step = new ExactGradientStep(replica, rank, workers);
                step.Run(batch.Slice(offset, count), TestData.Keys(count, offset), batch.Count, Micro, group.Members[rank], CancellationToken.None);
                var gradient = new float[replica.ParameterCount];
                replica.CopyGradientsTo(gradient);
                return gradient;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        return await Task.WhenAll(ranks).WaitAsync(TimeSpan.FromMinutes(1));
    }

    // The bits of a micro-batch's gradient follow libtorch's thread count (see TrainingSettings.ThreadsPerWorker).
    private static void UseOneThread() => TorchSharp.torch.set_num_threads(1);
}
