using System.Runtime.InteropServices;
using ClusterTrainer.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models.Dqn;

/// <summary>
/// A Q-network (observation -> one value per action): the lecture's MLP with ReLU. Parameters move in
/// and out as one flat float array, the form weights travel in between learner, collectors and evaluator.
/// </summary>
/// <remarks>Not thread-safe: each owner uses its network from its own thread.</remarks>
public sealed class QNetwork : IDisposable
{
    private static readonly Lock InitLock = new();
    private readonly MlpModel _model;
    private readonly TorchSharp.Modules.Parameter[] _parameters;

    public QNetwork(int observationSize, IReadOnlyList<int> hidden, int actions, int seed)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        // libtorch's generator is process-wide: networks built on several threads at once would
        // interleave their draws, and the same seed would give different initial weights.
        lock (InitLock)
        {
            torch.random.manual_seed(seed);
            _model = new MlpModel(observationSize, hidden, actions, Activation.Relu);
        }

        _parameters = _model.parameters().ToArray();
        ParameterCount = checked((int)_parameters.Sum(p => p.numel()));
        ObservationSize = observationSize;
        Actions = actions;
    }

    public int ObservationSize { get; }

    public int Actions { get; }

    public int ParameterCount { get; }

    internal MlpModel Module => _model;

    internal IReadOnlyList<TorchSharp.Modules.Parameter> Parameters => _parameters;

    /// <summary>Q values without gradients, for acting and evaluation; row-major rows x actions.</summary>
    public float[] QValues(float[] observations, int rows)
    {
        ArgumentNullException.ThrowIfNull(observations);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _model.eval();
        var q = Forward(observations, rows);
        return q.contiguous().data<float>().ToArray();
    }

    /// <summary>The forward pass on a batch given as a flat array; the caller owns the dispose scope.</summary>
    internal Tensor Forward(float[] observations, int rows) =>
        _model.forward(tensor(observations, [rows, ObservationSize]));

    public float[] ExportParameters() => FlatParameters.Export(_parameters, ParameterCount);

    public void ImportParameters(ReadOnlySpan<float> values) => FlatParameters.Import(_parameters, ParameterCount, values);

    /// <summary>Makes this network's parameters equal to <paramref name="source"/>'s (the target-network copy).</summary>
    public void CopyFrom(QNetwork source)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var noGrad = no_grad();
        for (var i = 0; i < _parameters.Length; i++)
        {
            _parameters[i].copy_(source._parameters[i]);
        }
    }

    public void Save(string path) => AtomicFile.WriteVia(path, temporary => _model.save(temporary));

    public void Load(string path) => _model.load(path);

    public void Dispose() => _model.Dispose();
}
