using ClusterTrainer.Core;
using ClusterTrainer.Data;
using ClusterTrainer.Models;
using TorchSharp;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// `--precision bf16`: forward and backward on a bfloat16 copy, everything else float32. Its gradient is the float32
/// gradient to bfloat16's precision (8 significant bits), and it trains about as well.
/// </summary>
public class Bf16PrecisionTests
{
    [Theory]
    [InlineData(ModelKind.Mlp)]
    [InlineData(ModelKind.Cnn)]
    [InlineData(ModelKind.Rnn)]
    public void The_bf16_gradient_should_be_the_float32_gradient_to_bf16_precision_with_float32_parameters(ModelKind model)
    {
        var settings = TrainingSettings.DefaultsFor(model);
        var batch = SampleBatch.Range(TestData.FashionSample.Train, 0, 32);
        using var exact = new Replica(settings, [1, 28, 28], 10, initSeed: 4);
        using var low = new Replica(settings with { Precision = Precision.Bf16 }, [1, 28, 28], 10, initSeed: 4);
        var exactLoss = exact.ComputeGradients(batch, 32, TestData.Keys(batch.Count));
        var lowLoss = low.ComputeGradients(batch, 32, TestData.Keys(batch.Count));

        var g = exact.Gradients.Span.ToArray();
        var h = low.Gradients.Span.ToArray();
        var error = Math.Sqrt(g.Zip(h, (a, b) => (double)(a - b) * (a - b)).Sum());
        var norm = Math.Sqrt(g.Sum(a => (double)a * a));
        Assert.True(norm > 0);
        // bfloat16 rounds each value by up to 2^-9 relative; through a few layers a few percent, never tens.
        Assert.True(error / norm < 0.05, $"relative gradient error {error / norm:E2}");
        Assert.True(error / norm > 0, "a bf16 gradient with the float32 bits did not run in bf16");
        Assert.InRange(lowLoss, exactLoss * 0.97, exactLoss * 1.03);
        Assert.All(low.Model.parameters(), p => Assert.Equal(torch.ScalarType.Float32, p.dtype));
    }

    [Fact]
    public async Task A_bf16_run_should_reach_the_accuracy_of_a_float32_run_within_a_few_points()
    {
        var data = TestData.Small(train: 3000, test: 500);
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Epochs = 2, Seed = 2 };
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        var float32 = await ClusterRun.TrainAsync(settings, data, a.Path);
        var bf16 = await ClusterRun.TrainAsync(settings with { Precision = Precision.Bf16 }, data, b.Path);

        Assert.True(float32.Summary.TestAccuracy > 0.6, $"float32 reached {float32.Summary.TestAccuracy:P1}");
        Assert.True(Math.Abs(bf16.Summary.TestAccuracy - float32.Summary.TestAccuracy) < 0.03,
            $"bf16 {bf16.Summary.TestAccuracy:P1} against float32 {float32.Summary.TestAccuracy:P1}");
    }
}
