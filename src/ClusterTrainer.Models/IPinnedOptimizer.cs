namespace ClusterTrainer.Models;

/// <summary>
/// An optimizer whose every scalar handed to libtorch is held by a field or local until the native call returns.
/// TorchSharp's own optimizers convert doubles to temporary Scalars (the learning rate, momentum, Adam's betas and
/// the hidden alpha of add_) that the garbage collector may finalize while libtorch still reads them: libtorch
/// then fails with "Expected false to be true" from Scalar::toFloat inside add_, or reads a wrong value. It
/// happened every few thousand DQN updates, and in supervised workers once several jobs ran at once on a node.
/// </summary>
public interface IPinnedOptimizer : IDisposable
{
    /// <summary>The rate of the next <see cref="Update"/> (the schedule sets it every step).</summary>
    double LearningRate { get; set; }

    void ZeroGrad();

    /// <summary>One update of every parameter that has a gradient, under no_grad.</summary>
    void Update();

    /// <summary>How many floats <see cref="ExportState"/> gives: fixed by the optimizer's kind and the parameters, never by its history.</summary>
    int StateLength { get; }

    /// <summary>The updates made so far and every buffer, as numbers (a copy).</summary>
    OptimizerState ExportState();

    /// <summary>Makes this optimizer continue exactly as the one <paramref name="state"/> came from would.</summary>
    void ImportState(OptimizerState state);
}
