using ClusterTrainer.Core;
using ClusterTrainer.Data;
using ClusterTrainer.Models;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// The CUDA exchange path (gradients copied to a host staging buffer, all-reduced there, copied back), forced on
/// the CPU: no CUDA TorchSharp is served here, and the path is the same code whatever the device.
/// </summary>
public class ExchangeStagingTests
{
    [Fact]
    public void A_staged_replica_should_hand_the_exchange_a_host_buffer_apart_from_its_gradients_and_copy_the_sum_back()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Hidden = [16], ExchangeStaging = ExchangeStaging.Always };
        using var replica = new Replica(settings, [1, 28, 28], 10, initSeed: 3);
        Assert.True(replica.StagesExchange);
        replica.ComputeGradients(SampleBatch.Range(TestData.FashionSample.Train, 0, 20), 20, TestData.Keys(20));
        var before = replica.ExportParameters();

        // The exchange sees a copy: zeroing the buffer it gets before the copy out changes nothing, and what it
        // leaves in the buffer (here: twice the gradient, as a sum over two equal replicas would) is what the step uses.
        float[]? seen = null;
        replica.AllReduceGradients(buffer =>
        {
            seen = buffer.Span.ToArray();
            foreach (ref var value in buffer.Span)
            {
                value *= 2;
            }
        });
        Assert.True(seen!.Any(v => v != 0), "the staging buffer must hold the gradient when the exchange reads it");

        using var reference = new Replica(settings with { ExchangeStaging = ExchangeStaging.Never }, [1, 28, 28], 10, initSeed: 3);
        Assert.False(reference.StagesExchange);
        reference.ComputeGradients(SampleBatch.Range(TestData.FashionSample.Train, 0, 20), 20, TestData.Keys(20));
        Assert.Equal(seen, reference.Gradients.Span.ToArray());
        reference.AllReduceGradients(buffer =>
        {
            foreach (ref var value in buffer.Span)
            {
                value *= 2;
            }
        });

        replica.ApplyStep(0.1);
        reference.ApplyStep(0.1);
        Assert.NotEqual(before, replica.ExportParameters());
        Assert.Equal(reference.ExportParameters(), replica.ExportParameters());
    }

    [Fact]
    public async Task Two_workers_exchanging_through_staging_buffers_should_train_bit_for_bit_like_in_place_exchange()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Epochs = 2, Workers = 2, Limit = 3000, Data = "sample", Seed = 5 };
        var data = TestData.Small(3000, 500);
        using var staged = new TempDirectory();
        using var direct = new TempDirectory();

        var withStaging = await ClusterRun.TrainAsync(settings with { ExchangeStaging = ExchangeStaging.Always }, data, staged.Path);
        var inPlace = await ClusterRun.TrainAsync(settings with { ExchangeStaging = ExchangeStaging.Never }, data, direct.Path);

        Assert.Equal(inPlace.Summary.ParameterChecksum, withStaging.Summary.ParameterChecksum);
        Assert.Equal(inPlace.Parameters, withStaging.Parameters);
        Assert.True(withStaging.Summary.TestAccuracy > 0.6, $"test accuracy {withStaging.Summary.TestAccuracy:P2}");
        Assert.Equal(ExchangeStaging.Always, new ClusterTrainer.Core.Outputs.RunDirectory(staged.Path).ReadSettings().ExchangeStaging);
    }

    [Fact]
    public void Never_staging_should_be_refused_for_a_cuda_device_by_name()
    {
        var error = Assert.Throws<SettingsException>(() => (TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Device = "cuda", ExchangeStaging = ExchangeStaging.Never }).Validate());
        Assert.Equal("--exchange-staging", error.Setting);
        Assert.True((TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Device = "cuda" }).StagesExchange, "auto stages a cuda replica");
        Assert.False(TrainingSettings.DefaultsFor(ModelKind.Mlp).StagesExchange, "auto exchanges a cpu replica in place");
    }
}
