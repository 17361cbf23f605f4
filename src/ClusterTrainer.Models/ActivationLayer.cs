using ClusterTrainer.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

internal static class ActivationLayer
{
    public static nn.Module<Tensor, Tensor> Create(Activation activation) => activation switch
    {
        Activation.Relu => nn.ReLU(),
        Activation.Sigmoid => nn.Sigmoid(),
        Activation.Tanh => nn.Tanh(),
        _ => throw new SettingsException("--activation", $"unknown activation '{activation}'"),
    };
}
