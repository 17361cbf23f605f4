using ClusterTrainer.Core;
using ClusterTrainer.Data;
using ClusterTrainer.Models;

namespace ClusterTrainer.Training.Tests;

/// <summary>The gradient a fresh replica (init seed 3, images of 28 x 28) computes, for tests of what keys change.</summary>
internal static class ReplicaGradient
{
    /// <summary>The gradient of <paramref name="batch"/> as part of a global batch of <paramref name="globalBatch"/>.</summary>
    public static float[] Of(TrainingSettings settings, SampleBatch batch, int globalBatch, long[] keys)
    {
        using var replica = new Replica(settings, [1, 28, 28], 10, initSeed: 3);
        replica.ComputeGradients(batch, globalBatch, keys);
        var gradient = new float[replica.ParameterCount];
        replica.CopyGradientsTo(gradient);
        return gradient;
    }

    /// <summary>
    /// max |gradient of the whole batch - (gradient of its first <paramref name="cut"/> samples + gradient of the rest)|:
    /// what two workers sharing the batch would get against one worker.
    /// </summary>
    public static double SplitDifference(TrainingSettings settings, SampleBatch batch, long[] keys, int cut)
    {
        var whole = Of(settings, batch, batch.Count, keys);
        var first = Of(settings, batch.Slice(0, cut), batch.Count, keys[..cut]);
        var second = Of(settings, batch.Slice(cut, batch.Count - cut), batch.Count, keys[cut..]);
        return whole.Select((value, i) => Math.Abs(value - (first[i] + second[i]))).Max();
    }
}
