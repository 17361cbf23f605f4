using ClusterTrainer.Data;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

/// <summary>Turns served samples into input and label tensors; image bytes are scaled to [0, 1].</summary>
public static class BatchTensors
{
    public static (Tensor Inputs, Tensor Labels) Create(SampleBatch batch, int[] sampleShape, Device device)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(sampleShape);
        var shape = new long[sampleShape.Length + 1];
        shape[0] = batch.Count;
        for (var i = 0; i < sampleShape.Length; i++)
        {
            shape[i + 1] = sampleShape[i];
        }

        Tensor inputs;
        if (batch.Bytes is not null)
        {
            using var raw = tensor(batch.Bytes, shape, dtype: ScalarType.Byte);
            inputs = raw.to(ScalarType.Float32, device).div_(255f);
        }
        else
        {
            inputs = tensor(batch.Values!, shape, device: device);
        }

        var labels = new long[batch.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = batch.Labels[i];
        }

        return (inputs, tensor(labels, device: device));
    }
}
