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

/// <summary>How training images are varied (see <see cref="TrainingSettings.Augment"/>).</summary>
public enum AugmentKind
{
    /// <summary>Every sample as stored.</summary>
    None,

    /// <summary>Each training sample mirrored left to right in a random half of the epochs; evaluation averages both.</summary>
    Flip,
}

/// <summary>How workers in separate processes all-reduce their gradients (see <see cref="TrainingSettings.AllReduce"/>).</summary>
public enum AllReduceKind
{
    /// <summary>One ring of all N workers: 2(N - 1) hops.</summary>
    Ring,

    /// <summary>A ring per row and per column of a grid of the workers: about 4 sqrt(N) hops, the same bytes.</summary>
    Hierarchical,
}

/// <summary>The number format of forward and backward (see <see cref="TrainingSettings.Precision"/>).</summary>
public enum Precision
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "The member is named after the format the flag spells (--precision float32).")]
    Float32,
    Bf16,
}
