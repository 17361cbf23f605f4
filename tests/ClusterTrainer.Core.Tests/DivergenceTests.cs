using System.Text.Json;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Core.Tests;

/// <summary>A run whose numbers stop being numbers (issue 15, item 2).</summary>
public class DivergenceTests
{
    [Theory]
    [InlineData(double.NaN, 1.0, true)]
    [InlineData(1.0, double.PositiveInfinity, true)]
    [InlineData(double.NegativeInfinity, 1.0, true)]
    [InlineData(2.3, 0.5, false)]
    [InlineData(0.0, 0.0, false)]
    public void A_step_should_count_as_diverged_when_its_loss_or_gradient_norm_is_not_finite(double loss, double norm, bool diverged) =>
        Assert.Equal(diverged, Divergence.IsDiverged(loss, norm));

    [Fact]
    public void The_message_should_name_the_step_and_suggest_a_lower_learning_rate()
    {
        var message = Divergence.Describe(epoch: 2, step: 4, sequence: 64, loss: double.NaN, gradientNorm: double.PositiveInfinity, learningRate: 1e9);
        Assert.Contains("step 5 of epoch 2 (step 65 of the run)", message, StringComparison.Ordinal);
        Assert.Contains("the loss is NaN and the gradient's norm is +infinity", message, StringComparison.Ordinal);
        Assert.Contains("try a lower --lr, for example 1E+08", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_json_should_hold_null_for_values_that_are_not_finite_and_read_them_back_as_nan()
    {
        var json = RunJson.Serialize(new EpochMetrics(1, double.NaN, double.PositiveInfinity, 0.5, 10));
        using (var document = JsonDocument.Parse(json))
        {
            Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("train_loss").ValueKind);
            Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("test_loss").ValueKind);
            Assert.Equal(0.5, document.RootElement.GetProperty("test_accuracy").GetDouble());
        }

        var back = RunJson.Deserialize<EpochMetrics>(json, "test");
        Assert.True(double.IsNaN(back.TrainLoss));
        Assert.Equal(0.5, back.TestAccuracy);
    }

    [Fact]
    public void Summaries_written_by_earlier_versions_with_named_literals_should_still_read()
    {
        var back = RunJson.Deserialize<EpochMetrics>("""{ "epoch": 1, "train_loss": "NaN", "test_loss": 0.25, "test_accuracy": 0.5, "samples_per_second": 1 }""", "old");
        Assert.True(double.IsNaN(back.TrainLoss));
        Assert.Equal(0.25, back.TestLoss);
    }
}
