using ClusterTrainer.Core;
using ClusterTrainer.Data;
using ClusterTrainer.Exchange;
using ClusterTrainer.Models;

namespace ClusterTrainer.Training.Tests.Elastic;

/// <summary>
/// A replica's whole state (parameters and optimizer) is what a checkpoint keeps and what a new ring starts from: a
/// replica given another's state continues bitwise as that one would, which parameters alone do not achieve.
/// </summary>
public sealed class ReplicaStateTests
{
    private static readonly int[] Shape = [1, 28, 28];

    [Theory]
    [InlineData(OptimizerKind.Sgd, 0.9)]
    [InlineData(OptimizerKind.Sgd, 0.0)]
    [InlineData(OptimizerKind.Adam, 0.0)]
    public void A_replica_given_anothers_state_should_continue_bitwise_as_that_one(OptimizerKind kind, double momentum)
    {
        var settings = Settings(kind, momentum);
        using var original = new Replica(settings, Shape, 10, 1);
        using var restored = new Replica(settings, Shape, 10, 2);
        using var parametersOnly = new Replica(settings, Shape, 10, 3);
        Train(original, 0, 3);

        restored.ImportState(original.ExportState().ToBytes());
        parametersOnly.ImportParameters(original.ExportParameters());
        Assert.Equal(original.Checksum(), restored.Checksum());

        Train(original, 3, 3);
        Train(restored, 3, 3);
        Train(parametersOnly, 3, 3);
        Assert.Equal(original.Checksum(), restored.Checksum());
        if (kind == OptimizerKind.Adam || momentum != 0)
        {
            // The control: without the optimizer's buffers the next steps differ, so the state is what carries them.
            Assert.NotEqual(original.Checksum(), parametersOnly.Checksum());
        }
    }

    [Fact]
    public async Task A_state_broadcast_should_give_every_replica_the_sources_bits()
    {
        var settings = Settings(OptimizerKind.Adam, 0);
        using var group = new InProcessExchangeGroup(3, TimeSpan.FromSeconds(30));
        var replicas = Enumerable.Range(0, 3).Select(rank => new Replica(settings, Shape, 10, 10 + rank)).ToArray();
        try
        {
            Train(replicas[1], 0, 2);
            // Workers broadcast on their own threads: each blocks in the all-reduce until all have called it.
            await Task.WhenAll(replicas.Select((replica, rank) => Task.Run(() =>
                replica.BroadcastState(words => group.Members[rank].AllReduceSum(words, CancellationToken.None), isSource: rank == 1))));
            Assert.All(replicas, r => Assert.Equal(replicas[1].Checksum(), r.Checksum()));

            foreach (var replica in replicas)
            {
                Train(replica, 2, 2);
            }

            Assert.All(replicas, r => Assert.Equal(replicas[1].Checksum(), r.Checksum()));
        }
        finally
        {
            foreach (var replica in replicas)
            {
                replica.Dispose();
            }
        }
    }

    private static TrainingSettings Settings(OptimizerKind kind, double momentum) =>
        TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Optimizer = kind, Momentum = momentum, Hidden = [32], Threads = 1, LearningRate = 0.01 };

    private static void Train(Replica replica, int firstBatch, int batches)
    {
        for (var i = firstBatch; i < firstBatch + batches; i++)
        {
            var batch = SampleBatch.Range(TestData.FashionSample.Train, i * 32, 32);
            replica.ComputeGradients(batch, 32, TestData.Keys(batch.Count));
            replica.ApplyStep(0.01);
        }
    }
}
