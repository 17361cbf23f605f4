using ClusterTrainer.Core;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// <c>--deterministic</c>: the same settings give the same bits at every worker count. The parameter checksum is a
/// hash of every parameter's exact bits, so equal checksums mean bitwise-equal models; the reported training loss and
/// the evaluation must be equal too, not merely close.
/// </summary>
/// <remarks>
/// 20 steps of 24 samples cut into micro-batches of 6, so 3 workers get an uneven share (2, 1, 1 micro-batches) and
/// the last step is short (19 samples: micro-batches of 6, 6, 6 and 1). Each world size runs with the threads it would
/// get by default (2 for one worker on this machine, 1 each for more), as a user's runs would.
/// </remarks>
public class DeterministicTrainingTests
{
    private const int Batch = 24;
    private const int Steps = 20;

    [Theory]
    [InlineData(ModelKind.Mlp, OptimizerKind.Sgd)]
    [InlineData(ModelKind.Mlp, OptimizerKind.Adam)]
    [InlineData(ModelKind.Cnn, OptimizerKind.Sgd)]
    [InlineData(ModelKind.Cnn, OptimizerKind.Adam)]
    [InlineData(ModelKind.Rnn, OptimizerKind.Adam)]
    public async Task Should_end_with_the_same_parameter_checksum_for_one_to_four_workers(ModelKind model, OptimizerKind optimizer)
    {
        var settings = Settings(model, optimizer);
        var data = TestData.Small(train: (Steps * Batch) - 5, test: 700);
        var runs = new List<ClusterTrainer.Core.Outputs.RunSummary>();
        foreach (var workers in new[] { 1, 2, 3, 4 })
        {
            using var directory = new TempDirectory();
            var run = await ClusterRun.TrainAsync(settings with { Workers = workers, Shards = workers == 1 ? 1 : 2 }, data, directory.Path);
            Assert.Equal(Steps, run.Summary.Steps);
            Assert.Equal(workers, run.Summary.Workers);
            runs.Add(run.Summary);
        }

        Assert.All(runs, run => Assert.Equal(runs[0].ParameterChecksum, run.ParameterChecksum));
        Assert.All(runs, run => Assert.Equal(runs[0].FinalLoss, run.FinalLoss));
        Assert.All(runs, run => Assert.Equal(runs[0].TestLoss, run.TestLoss));
        Assert.All(runs, run => Assert.Equal(runs[0].TestAccuracy, run.TestAccuracy));
    }

    [Fact]
    public async Task Should_differ_in_the_last_bits_without_it_so_the_checksum_test_can_fail()
    {
        // The default mode sums floats in an order that depends on the split: close, but not the same bits.
        var settings = Settings(ModelKind.Mlp, OptimizerKind.Adam) with { Deterministic = false, MicroBatch = null };
        var data = TestData.Small(train: (Steps * Batch) - 5, test: 100);
        using var one = new TempDirectory();
        using var three = new TempDirectory();
        var alone = await ClusterRun.TrainAsync(settings with { Workers = 1 }, data, one.Path);
        var shared = await ClusterRun.TrainAsync(settings with { Workers = 3, Shards = 2 }, data, three.Path);
        Assert.NotEqual(alone.Summary.ParameterChecksum, shared.Summary.ParameterChecksum);
    }

    private static TrainingSettings Settings(ModelKind model, OptimizerKind optimizer) => TrainingSettings.DefaultsFor(model) with
    {
        Optimizer = optimizer,
        LearningRate = optimizer == OptimizerKind.Sgd ? 0.05 : 1e-3,
        Epochs = 1,
        BatchSize = Batch,
        Seed = 13,
        Deterministic = true,
        MicroBatch = 6,
    };
}
