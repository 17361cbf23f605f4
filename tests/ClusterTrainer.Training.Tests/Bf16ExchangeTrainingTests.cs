using ClusterTrainer.Core;

namespace ClusterTrainer.Training.Tests;

/// <summary><c>--exchange-precision bf16</c>: the workers' gradients travel as bfloat16, and the job still learns what float32 learns.</summary>
public class Bf16ExchangeTrainingTests
{
    [Fact]
    public async Task Two_workers_exchanging_bf16_should_learn_what_float32_learns_but_not_bit_for_bit()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Epochs = 2, Seed = 3, Workers = 2, Hidden = [64] };
        var data = TestData.Small(train: 3000, test: 500);
        using var floatRun = new TempDirectory();
        using var bf16Run = new TempDirectory();
        var asFloat = await ClusterRun.TrainAsync(settings, data, floatRun.Path);
        var asBf16 = await ClusterRun.TrainAsync(settings with { ExchangePrecision = Precision.Bf16 }, data, bf16Run.Path);

        Assert.NotEqual(asFloat.Summary.ParameterChecksum, asBf16.Summary.ParameterChecksum);
        Assert.True(asBf16.Summary.TestAccuracy >= 0.70, $"bf16 exchange: test accuracy {asBf16.Summary.TestAccuracy:P2}");
        Assert.True(Math.Abs(asBf16.Summary.TestAccuracy - asFloat.Summary.TestAccuracy) <= 0.03,
            $"test accuracy {asFloat.Summary.TestAccuracy:P2} with float32, {asBf16.Summary.TestAccuracy:P2} with bf16 on the wire");
    }
}
