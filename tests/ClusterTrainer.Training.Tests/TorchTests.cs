using ClusterTrainer.Core;
using ClusterTrainer.Data;
using ClusterTrainer.Models;
using TorchSharp;

namespace ClusterTrainer.Training.Tests;

public class TorchTests
{
    [Fact]
    public void TorchSharp_should_load_and_compute_on_this_os()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        var product = a.matmul(a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, product.data<float>().ToArray());
    }

    [Theory]
    [InlineData(ModelKind.Mlp)]
    [InlineData(ModelKind.Cnn)]
    [InlineData(ModelKind.Rnn)]
    public void Image_models_should_output_one_logit_per_class(ModelKind model)
    {
        using var scope = torch.NewDisposeScope();
        var settings = TrainingSettings.DefaultsFor(model);
        using var module = ModelFactory.Create(settings, [1, 28, 28], 10);
        module.eval();
        var output = module.forward(torch.rand(5, 1, 28, 28));
        Assert.Equal(new long[] { 5, 10 }, output.shape);
    }

    [Fact]
    public void Tabular_model_should_output_one_logit_per_class()
    {
        using var scope = torch.NewDisposeScope();
        using var module = ModelFactory.Create(TrainingSettings.DefaultsFor(ModelKind.Tabular), [4], 3);
        Assert.Equal(new long[] { 7, 3 }, module.forward(torch.rand(7, 4)).shape);
    }

    [Fact]
    public void Mlp_should_honour_hidden_sizes_and_activation()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Hidden = [32, 16, 8], Activation = Activation.Tanh };
        using var module = ModelFactory.Create(settings, [1, 28, 28], 10);
        var parameters = module.parameters().Sum(p => p.numel());
        Assert.Equal((784 * 32) + 32 + (32 * 16) + 16 + (16 * 8) + 8 + (8 * 10) + 10, parameters);
    }

    [Fact]
    public void Cnn_and_rnn_should_refuse_tabular_data_with_a_named_setting()
    {
        var error = Assert.Throws<SettingsException>(() => ModelFactory.Create(TrainingSettings.DefaultsFor(ModelKind.Cnn), [4], 3));
        Assert.Equal("--model", error.Setting);
    }

    [Fact]
    public void Replica_gradients_should_land_in_the_flat_buffer_the_exchange_reads()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Hidden = [16] };
        using var replica = new Replica(settings, [1, 28, 28], 10, initSeed: 3);
        var batch = SampleBatch.Range(TestData.FashionSample.Train, 0, 20);
        replica.ComputeGradients(batch, 20, TestData.Keys(batch.Count));
        var norm = 0.0;
        foreach (var value in replica.Gradients.Span)
        {
            norm += value * value;
        }

        Assert.True(norm > 1e-8, "backward must accumulate into the flat gradient buffer");

        // Zeroing through the buffer must be what the optimizer sees: a zero gradient leaves SGD parameters alone.
        var before = replica.ExportParameters();
        replica.Gradients.Span.Clear();
        replica.ApplyStep(0.1);
        Assert.Equal(before, replica.ExportParameters());
    }

    [Fact]
    public void Replicas_with_imported_parameters_should_have_equal_checksums()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Cnn);
        using var a = new Replica(settings, [1, 28, 28], 10, initSeed: 1);
        using var b = new Replica(settings, [1, 28, 28], 10, initSeed: 2);
        Assert.NotEqual(a.Checksum(), b.Checksum());
        b.ImportParameters(a.ExportParameters());
        Assert.Equal(a.Checksum(), b.Checksum());
    }
}
