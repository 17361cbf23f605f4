namespace ClusterTrainer.Core;

/// <summary>The lecture's supervised models.</summary>
public enum ModelKind
{
    Mlp,
    Cnn,
    Rnn,
    Tabular,
}

public enum OptimizerKind
{
    Sgd,
    Adam,
}

public enum Activation
{
    Relu,
    Sigmoid,
    Tanh,
}
