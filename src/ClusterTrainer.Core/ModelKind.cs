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

/// <summary>How a worker's gradients reach the exchange (see <see cref="TrainingSettings.ExchangeStaging"/>).</summary>
public enum ExchangeStaging
{
    Auto,
    Always,
    Never,
}
