using TorchSharp;

namespace ClusterTrainer.Models;

/// <summary>Checks, on the node that will train, that the device a job asks for exists there.</summary>
public static class Devices
{
    /// <exception cref="DeviceUnavailableException">naming the node, when <paramref name="device"/> is cuda and it has none.</exception>
    public static void RequireAvailable(string device, string node)
    {
        if (device == "cuda" && !torch.cuda.is_available())
        {
            throw new DeviceUnavailableException(
                $"node {node} cannot train on cuda: torch.cuda.is_available() is false there (no GPU, no NVIDIA driver, or a CPU-only TorchSharp build). " +
                "Submit the job with --device cpu, or run it on worker nodes with a GPU and the CUDA build (README, \"GPU workers\").");
        }
    }
}

/// <summary>A job asked for a device the node that should train it does not have.</summary>
public sealed class DeviceUnavailableException : Exception
{
    public DeviceUnavailableException()
    {
    }

    public DeviceUnavailableException(string message)
        : base(message)
    {
    }

    public DeviceUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
