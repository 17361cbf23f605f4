using ClusterTrainer.Cli;
using ClusterTrainer.Core;
using ClusterTrainer.Data;
using ClusterTrainer.Models;

namespace ClusterTrainer.Training.Tests;

/// <summary>Sizes known before anything is allocated, and labels that cannot be classes (issue 15, items 5 and 6).</summary>
public class ModelSizeTests
{
    [Theory]
    [InlineData(ModelKind.Mlp, new[] { 1, 28, 28 }, new[] { 256, 256 })]
    [InlineData(ModelKind.Mlp, new[] { 1, 28, 28 }, new[] { 7 })]
    [InlineData(ModelKind.Cnn, new[] { 1, 28, 28 }, new[] { 256 })]
    [InlineData(ModelKind.Rnn, new[] { 1, 28, 28 }, new[] { 128 })]
    [InlineData(ModelKind.Tabular, new[] { 12 }, new[] { 16 })]
    public void The_parameter_count_should_be_known_before_the_model_is_built(ModelKind model, int[] shape, int[] hidden)
    {
        var settings = TrainingSettings.DefaultsFor(model) with { Hidden = hidden };
        using var built = ModelFactory.Create(settings, shape, 10);
        var actual = built.parameters().Sum(p => p.numel());
        Assert.Equal(actual, ModelSize.Parameters(settings, shape, 10));
    }

    [Fact]
    public void A_model_that_cannot_fit_in_memory_should_be_refused_naming_hidden_before_any_allocation()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Hidden = [999_999_999] };
        var error = Assert.Throws<SettingsException>(() => ModelFactory.Create(settings, [1, 28, 28], 10));
        Assert.Equal("--hidden", error.Setting);
        Assert.Contains("794,999,999,215 parameters", error.Message, StringComparison.Ordinal);
        ModelSize.RequireFits(TrainingSettings.DefaultsFor(ModelKind.Mlp), [1, 28, 28], 10, replicas: 4, availableBytes: 100_000_000);
    }

    [Fact]
    public async Task A_csv_whose_labels_make_thousands_of_classes_should_be_refused_unless_asked()
    {
        using var data = new TempDirectory();
        var csv = data.Combine("ids.csv");
        await File.WriteAllLinesAsync(csv, Enumerable.Range(0, 3000).Select(i => $"{i % 7}.5,{i % 3},{i}").Prepend("a,b,label"));

        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "train", "--data", csv, "--epochs", "1");
        Assert.True(code == CliApp.BadInput, output);
        var message = CliProcess.Flat(output);
        Assert.Contains("ids.csv", message, StringComparison.Ordinal);
        Assert.Contains("3,000 classes", message, StringComparison.Ordinal);
        Assert.Contains("--max-classes 3000", message, StringComparison.Ordinal);

        var split = new DataLocator().Load(csv, 1);
        Assert.Same(split, ClassCount.RequireAtMost(split, 3000));
    }
}
