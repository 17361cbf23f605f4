using ClusterTrainer.Core;
using ClusterTrainer.Data;
using ClusterTrainer.Models;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// Backward stage by stage with gradient buckets (`--bucket-mb`): the same gradient bits as one backward, and each
/// bucket's gradients final when it is handed to the exchange (the exchange reads it while backward goes on).
/// </summary>
public sealed class GradientBucketTests
{
    private static readonly SampleBatch Batch = SampleBatch.Range(TestData.FashionSample.Train, 0, 24);

    public static TheoryData<ModelKind, double> Models => new()
    {
        { ModelKind.Mlp, 0.0 },
        { ModelKind.Mlp, 0.3 },
        { ModelKind.Cnn, 0.3 },
        { ModelKind.Rnn, 0.1 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Buckets_should_give_the_bits_of_one_backward_each_final_when_handed_over(ModelKind model, double dropout)
    {
        var settings = TrainingSettings.DefaultsFor(model) with { Dropout = dropout, Hidden = model == ModelKind.Mlp ? [64, 32] : [32] };
        var keys = TestData.Keys(Batch.Count);
        using var reference = new Replica(settings, [1, 28, 28], 10, initSeed: 5);
        using var bucketed = new Replica(settings, [1, 28, 28], 10, initSeed: 5);
        var expectedLoss = reference.ComputeGradients(Batch, 48, keys);
        var expected = reference.Gradients.Span.ToArray();

        // A 1-byte cap: one bucket per stage, the most hand-overs.
        var buckets = bucketed.PlanBuckets(1)!;
        var handed = new List<(GradientBucket Bucket, float[] Values)>();
        var loss = bucketed.ComputeGradientsInBuckets(Batch, 48, keys, buckets, bucket =>
            handed.Add((bucket, bucketed.Gradients.Span.Slice(bucket.Offset, bucket.Count).ToArray())));

        Assert.True(buckets.Count >= 2, $"{buckets.Count} buckets");
        Assert.Equal(expectedLoss, loss);
        Assert.Equal(expected, bucketed.Gradients.Span.ToArray());
        Assert.Equal(buckets, handed.Select(h => h.Bucket));
        foreach (var (bucket, values) in handed)
        {
            Assert.Equal(expected.AsSpan(bucket.Offset, bucket.Count).ToArray(), values);
        }
    }

    [Fact]
    public void A_worker_without_samples_should_hand_over_every_bucket_with_zeros()
    {
        using var replica = new Replica(TrainingSettings.DefaultsFor(ModelKind.Cnn), [1, 28, 28], 10, initSeed: 5);
        var buckets = replica.PlanBuckets(1)!;
        var handed = new List<GradientBucket>();

        var loss = replica.ComputeGradientsInBuckets(Batch.Slice(0, 0), 48, [], buckets, handed.Add);

        Assert.Equal(0, loss);
        Assert.Equal(buckets, handed);
        Assert.All(replica.Gradients.Span.ToArray(), value => Assert.Equal(0f, value));
    }

    [Fact]
    public void Buckets_should_close_at_the_first_stage_boundary_past_the_cap_from_the_last_stage_on()
    {
        // Stages of 10, 1000, 300 and 5 floats; a cap of 1200 bytes (300 floats).
        var buckets = GradientBuckets.Plan([10, 1000, 300, 5], 1200);

        Assert.Equal(
            [new GradientBucket(2, 3, 1010, 305), new GradientBucket(1, 1, 10, 1000), new GradientBucket(0, 0, 0, 10)],
            buckets);
        Assert.Equal([new GradientBucket(0, 3, 0, 1315)], GradientBuckets.Plan([10, 1000, 300, 5], 1L << 30));
    }

    [Fact]
    public void The_cnn_default_should_exchange_its_fully_connected_layers_while_the_convolutions_run_backward()
    {
        using var replica = new Replica(TrainingSettings.DefaultsFor(ModelKind.Cnn), [1, 28, 28], 10, initSeed: 5);

        var buckets = replica.PlanBuckets(1 << 20)!;

        Assert.Equal(2, buckets.Count);
        Assert.Equal((1, 0), (buckets[0].FirstStage, buckets[1].FirstStage));
        Assert.Equal(replica.ParameterCount, buckets.Sum(b => b.Count));
    }
}
