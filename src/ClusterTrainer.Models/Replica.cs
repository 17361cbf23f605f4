using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ClusterTrainer.Core;
using ClusterTrainer.Exchange;
using ClusterTrainer.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace ClusterTrainer.Models;

/// <summary>
/// One model replica and its optimizer: what a worker trains. Every parameter's gradient is a view into
/// one flat tensor, so on the CPU the gradient exchange reads and writes all gradients in place, with no
/// copies (the idea of DDP's gradient-as-bucket-view). A replica on another device (CUDA) exchanges through
/// a host staging buffer instead: one copy out, the all-reduce on host memory, one copy back.
/// </summary>
/// <remarks>Not thread-safe: one worker uses it from one thread.</remarks>
public sealed class Replica : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly IPinnedOptimizer _optimizer;
    private readonly TorchSharp.Modules.Parameter[] _parameters;
    private readonly Tensor _flatGradients;
    private readonly Tensor? _staging;
    private readonly Device _device;
    private readonly int[] _sampleShape;
    private readonly DropoutKeys _dropoutKeys = new();
    private readonly AugmentKind _augment;

    // The model's forward in stages (null for a model without them), for backward stage by stage with gradient buckets.
    private readonly IReadOnlyList<ModelStage>? _stages;

    // --precision bf16: the bfloat16 copy forward and backward run on, and its parameters (module order, as _parameters).
    private readonly nn.Module<Tensor, Tensor>? _lowPrecision;
    private readonly TorchSharp.Modules.Parameter[] _lowParameters = [];

    private static readonly Lock InitLock = new();

    public Replica(TrainingSettings settings, int[] sampleShape, int classes, int initSeed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _sampleShape = sampleShape;
        _augment = settings.Augment;
        _device = new Device(settings.Device);
        // libtorch's generator is process-wide: replicas built on several threads at once would interleave
        // their draws, so the same seed would give different initial parameters.
        lock (InitLock)
        {
            torch.random.manual_seed(initSeed);
            _model = ModelFactory.Create(settings, sampleShape, classes, _dropoutKeys);
        }

        _model.to(_device);
        _parameters = _model.parameters().ToArray();
        if (_model is IStagedModel staged)
        {
            _stages = staged.Stages();
            // The buckets are ranges of the flat gradient: the stages must own the parameters in module order.
            if (!_stages.SelectMany(stage => stage.Parameters).SequenceEqual(_parameters, ReferenceEqualityComparer.Instance))
            {
                throw new InvalidOperationException($"the stages of {_model.GetName()} do not own its parameters in module order");
            }
        }
        if (settings.Precision == Precision.Bf16)
        {
            // Same architecture; its weights are overwritten from the float32 master before every forward.
            lock (InitLock)
            {
                _lowPrecision = ModelFactory.Create(settings, sampleShape, classes, _dropoutKeys);
            }

            _lowPrecision.to(ScalarType.BFloat16).to(_device);
            _lowParameters = _lowPrecision.parameters().ToArray();
        }

        ParameterCount = checked((int)_parameters.Sum(p => p.numel()));

        _flatGradients = zeros(ParameterCount, device: _device);
        long offset = 0;
        foreach (var parameter in _parameters)
        {
            var count = parameter.numel();
            parameter.grad = _flatGradients.narrow(0, offset, count).view(parameter.shape);
            offset += count;
        }

        if (settings.StagesExchange)
        {
            // Page-locked host memory makes the device copies direct DMA; pinning needs CUDA, so a staged CPU
            // replica (how the path is tested without a GPU) uses ordinary host memory.
            var host = empty(ParameterCount, ScalarType.Float32);
            _staging = _device.type == DeviceType.CUDA ? host.pin_memory() : host;
            if (!ReferenceEquals(_staging, host))
            {
                host.Dispose();
            }

            Gradients = GradientBuffer.FromPointer(AddressOf(_staging), ParameterCount, _staging);
        }
        else
        {
            Gradients = _device.type == DeviceType.CPU
                ? GradientBuffer.FromPointer(AddressOf(_flatGradients), ParameterCount, _flatGradients)
                : throw new NotSupportedException($"a {_device.type} replica cannot exchange its gradients in place: the exchange reads host memory (exchange staging must not be 'never')");
        }

        _optimizer = ModelFactory.CreatePinnedOptimizer(settings, _parameters);
    }

    public int ParameterCount { get; }

    /// <summary>
    /// The host memory the exchange reads and writes: the flat gradient itself, in place, or the staging buffer.
    /// Between <see cref="ComputeGradients"/> and <see cref="ApplyStep"/>, exchange through <see cref="AllReduceGradients"/>.
    /// </summary>
    public GradientBuffer Gradients { get; }

    /// <summary>Whether gradients go through a host staging buffer (copy out, all-reduce, copy in).</summary>
    public bool StagesExchange => _staging is not null;

    public nn.Module<Tensor, Tensor> Model => _model;

    /// <summary>
    /// Forward and backward on this worker's part of a step. The loss is summed over the samples and divided
    /// by the GLOBAL batch size, so the sum of all workers' gradients is the gradient of the global batch mean.
    /// </summary>
    /// <param name="sampleKeys">Each sample's key (<see cref="DropoutMask.SampleKeys"/>), in batch order: what its dropout mask follows.</param>
    /// <returns>The summed (unscaled) loss of these samples.</returns>
    public double ComputeGradients(SampleBatch batch, int globalBatchSize, long[] sampleKeys)
    {
        UseSampleKeys(batch, sampleKeys);
        using var scope = NewDisposeScope();
        _flatGradients.zero_();
        if (batch.Count == 0)
        {
            return 0;
        }

        var (inputs, labels) = TrainingTensors(batch, sampleKeys);
        if (_lowPrecision is not null)
        {
            return ComputeInBf16(inputs, labels, globalBatchSize);
        }

        _model.train();
        var lossSum = nn.functional.cross_entropy(_model.forward(inputs), labels, reduction: nn.Reduction.Sum);
        // A Scalar held to the end of the scope: an implicit one (div by an int) may be finalized mid-call.
        using var divisor = globalBatchSize.ToScalar();
        lossSum.div(divisor).backward();
        return lossSum.item<float>();
    }

    /// <summary>
    /// <see cref="ComputeGradients"/> stage by stage (see <see cref="ModelStage"/>), calling <paramref name="bucketReady"/>
    /// as soon as each bucket's gradients are final, while backward goes on with the stages before it: the caller starts
    /// that bucket's all-reduce then. The gradients are the same bits as <see cref="ComputeGradients"/>'s: the stages
    /// run the same operations, and the gradient at each cut is handed on whole.
    /// </summary>
    /// <param name="buckets">From <see cref="PlanBuckets"/>, in the order they become final.</param>
    /// <returns>The summed (unscaled) loss of these samples.</returns>
    public double ComputeGradientsInBuckets(SampleBatch batch, int globalBatchSize, long[] sampleKeys, IReadOnlyList<GradientBucket> buckets, Action<GradientBucket> bucketReady)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(bucketReady);
        var stages = _stages ?? throw new InvalidOperationException("this model cannot run backward in stages");
        if (_lowPrecision is not null || _staging is not null)
        {
            throw new InvalidOperationException("gradient buckets need float32 gradients exchanged in place");
        }

        UseSampleKeys(batch, sampleKeys);
        using var scope = NewDisposeScope();
        _flatGradients.zero_();
        if (batch.Count == 0)
        {
            // A worker without samples still takes part in every bucket's all-reduce, with zeros.
            foreach (var bucket in buckets)
            {
                bucketReady(bucket);
            }

            return 0;
        }

        var (inputs, labels) = TrainingTensors(batch, sampleKeys);
        _model.train();
        var stageInputs = new Tensor[stages.Count];
        var stageOutputs = new Tensor[stages.Count];
        for (var k = 0; k < stages.Count; k++)
        {
            // Each stage starts from a leaf that holds the gradient arriving at the cut after its own backward.
            stageInputs[k] = k == 0 ? inputs : stageOutputs[k - 1].detach().requires_grad_(true);
            stageOutputs[k] = stages[k].Forward(stageInputs[k]);
        }

        var lossSum = nn.functional.cross_entropy(stageOutputs[^1], labels, reduction: nn.Reduction.Sum);
        using var divisor = globalBatchSize.ToScalar();
        var next = 0;
        for (var k = stages.Count - 1; k >= 0; k--)
        {
            if (k == stages.Count - 1)
            {
                lossSum.div(divisor).backward();
            }
            else
            {
                stageOutputs[k].backward([stageInputs[k + 1].grad!]);
            }

            while (next < buckets.Count && buckets[next].FirstStage == k)
            {
                bucketReady(buckets[next++]);
            }
        }

        return lossSum.item<float>();
    }

    /// <summary>Points the dropout layers at this step's samples: one key per sample, in batch order.</summary>
    private void UseSampleKeys(SampleBatch batch, long[] sampleKeys)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(sampleKeys);
        if (sampleKeys.Length != batch.Count)
        {
            throw new ArgumentException($"{sampleKeys.Length} sample keys for a batch of {batch.Count}", nameof(sampleKeys));
        }

        _dropoutKeys.Set(sampleKeys);
    }

    /// <summary>A training batch as tensors, each image mirrored or not by its key when the job augments with flips.</summary>
    private (Tensor Inputs, Tensor Labels) TrainingTensors(SampleBatch batch, long[] sampleKeys)
    {
        var (inputs, labels) = BatchTensors.Create(batch, _sampleShape, _device);
        return (_augment == AugmentKind.Flip ? ImageMirror.Train(inputs, sampleKeys) : inputs, labels);
    }

    /// <summary>The buckets of <see cref="ComputeGradientsInBuckets"/> for a cap in bytes; null when this model cannot run in stages.</summary>
    public IReadOnlyList<GradientBucket>? PlanBuckets(long capBytes) =>
        _stages is null ? null : GradientBuckets.Plan([.. _stages.Select(s => s.Elements)], capBytes);

    /// <summary>
    /// Forward and backward on the bfloat16 copy (weights refreshed from the float32 master), the loss in float32 from
    /// bf16 logits; the bf16 gradients are widened into the float32 flat gradient that the exchange and optimizer use.
    /// </summary>
    private double ComputeInBf16(Tensor inputs, Tensor labels, int globalBatchSize)
    {
        using (no_grad())
        {
            for (var i = 0; i < _parameters.Length; i++)
            {
                _lowParameters[i].copy_(_parameters[i]);
                _lowParameters[i].grad?.zero_();
            }
        }

        _lowPrecision!.train();
        var logits = _lowPrecision.forward(inputs.to(ScalarType.BFloat16)).to(ScalarType.Float32);
        var lossSum = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum);
        using var divisor = globalBatchSize.ToScalar();
        lossSum.div(divisor).backward();
        using (no_grad())
        {
            for (var i = 0; i < _parameters.Length; i++)
            {
                if (_lowParameters[i].grad is { } low)
                {
                    _parameters[i].grad!.copy_(low);
                }
            }
        }

        return lossSum.item<float>();
    }

    /// <summary>
    /// Sums this replica's gradient with every other's through <paramref name="allReduceSum"/>, which works on host
    /// memory: staged, the gradient is copied out to the staging buffer first and the sum copied back after.
    /// </summary>
    public void AllReduceGradients(Action<GradientBuffer> allReduceSum)
    {
        ArgumentNullException.ThrowIfNull(allReduceSum);
        if (_staging is null)
        {
            allReduceSum(Gradients);
            return;
        }

        // Blocking copies: a device-to-host copy must be complete before the exchange reads the buffer.
        using var scope = NewDisposeScope();
        _staging.copy_(_flatGradients);
        allReduceSum(Gradients);
        _flatGradients.copy_(_staging);
    }

    /// <summary>The largest magnitude in the flat gradient; NaN when any value is NaN (libtorch's max propagates it).</summary>
    public float GradientMaxAbs()
    {
        using var scope = NewDisposeScope();
        return _flatGradients.abs().max().item<float>();
    }

    /// <summary>Copies the flat gradient as it is now into <paramref name="destination"/> (host memory).</summary>
    public void CopyGradientsTo(Span<float> destination)
    {
        if (_staging is not null)
        {
            using var scope = NewDisposeScope();
            _staging.copy_(_flatGradients);
        }

        Gradients.Span.CopyTo(destination);
    }

    /// <summary>Replaces the flat gradient by what <paramref name="write"/> puts into a host buffer of its length.</summary>
    public void SetGradients(Action<Span<float>> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        write(Gradients.Span);
        if (_staging is not null)
        {
            using var scope = NewDisposeScope();
            _flatGradients.copy_(_staging);
        }
    }

    /// <summary>The L2 norm of the flat gradient as it is now (after the exchange: the averaged gradient); NaN or infinity when it is not finite.</summary>
    public double GradientNorm()
    {
        using var scope = NewDisposeScope();
        return _flatGradients.norm().item<float>();
    }

    /// <summary>The optimizer step with the (exchanged) gradients, at this step's learning rate.</summary>
    public void ApplyStep(double learningRate)
    {
        _optimizer.LearningRate = learningRate;
        _optimizer.Update();
    }

    /// <summary>Correct predictions and summed loss over a batch, without gradients.</summary>
    public (int Correct, double LossSum) Evaluate(SampleBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _model.eval();
        var (inputs, labels) = BatchTensors.Create(batch, _sampleShape, _device);
        var logits = _model.forward(inputs);
        if (_augment == AugmentKind.Flip)
        {
            // The network learnt both orientations: the prediction is the mean of the image's and its mirror's
            // probabilities, and the loss that prediction's cross-entropy.
            // log((p + q) / 2) from the log-probabilities, so that a probability that underflows cannot make it infinite.
            using var logTwo = Math.Log(2).ToScalar();
            var mirrored = _model.forward(ImageMirror.Mirror(inputs));
            var logMean = stack([logits.log_softmax(1), mirrored.log_softmax(1)]).logsumexp(0).sub(logTwo);
            var meanLoss = nn.functional.nll_loss(logMean, labels, reduction: nn.Reduction.Sum).item<float>();
            return ((int)logMean.argmax(1).eq(labels).sum().item<long>(), meanLoss);
        }

        var loss = nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).item<float>();
        var correct = logits.argmax(1).eq(labels).sum().item<long>();
        return ((int)correct, loss);
    }

    /// <summary>All parameters, flattened in module order (what the coordinator broadcasts at start).</summary>
    public float[] ExportParameters() => FlatParameters.Export(_parameters, ParameterCount);

    public void ImportParameters(ReadOnlySpan<float> values) => FlatParameters.Import(_parameters, ParameterCount, values);

    /// <summary>A hash of every parameter's exact bits: equal replicas have equal checksums.</summary>
    public string Checksum()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // Holds the intermediate wrappers until libtorch is done with them (see FlatParameters.Export).
        using var scope = NewDisposeScope();
        foreach (var parameter in _parameters)
        {
            hash.AppendData(parameter.detach().cpu().contiguous().bytes);
        }

        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    public void Save(string path) => AtomicFile.WriteVia(path, temporary => _model.save(temporary));

    /// <summary>The model in TorchSharp's format, as <see cref="Save"/> writes it, for sending elsewhere.</summary>
    public byte[] SaveToBytes()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            _model.save(writer);
        }

        return stream.ToArray();
    }

    /// <summary>
    /// Makes rank 0's parameters everyone's through the exchange: rank 0 contributes its parameters, the
    /// others zeros, and the sum (exact, since x + 0 = x) is loaded by all.
    /// </summary>
    public void BroadcastParameters(Action<GradientBuffer> allReduceSum, bool isSource)
    {
        ArgumentNullException.ThrowIfNull(allReduceSum);
        var buffer = Gradients.Span;
        buffer.Clear();
        if (isSource)
        {
            ExportParameters().CopyTo(buffer);
        }

        allReduceSum(Gradients);
        ImportParameters(Gradients.Span);
        Gradients.Span.Clear();
    }

    /// <summary>Parameters and optimizer state (a copy): what a checkpoint keeps.</summary>
    public ReplicaState ExportState() => new(ExportParameters(), _optimizer.ExportState());

    /// <summary>Makes this replica continue exactly as the one <paramref name="state"/> came from.</summary>
    public void ImportState(ReplicaState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ImportParameters(state.Parameters);
        _optimizer.ImportState(state.Optimizer);
    }

    /// <summary>The byte length of this replica's <see cref="ReplicaState.ToBytes"/>.</summary>
    public int StateByteLength => ReplicaState.ByteLength(ParameterCount, _optimizer.StateLength);

    /// <summary>
    /// Makes the source's whole state (parameters and optimizer) every replica's through an exact integer all-reduce
    /// in which the others contribute zeros: how a restored job or a new ring starts from one replica's bits.
    /// </summary>
    public void BroadcastState(Action<long[]> allReduceSum, bool isSource)
    {
        ArgumentNullException.ThrowIfNull(allReduceSum);
        var length = StateByteLength;
        var words = isSource ? ReplicaState.PackWords(ExportState().ToBytes()) : new long[(length + 7) / 8];
        allReduceSum(words);
        ImportState(ReplicaState.FromBytes(ReplicaState.UnpackWords(words, length), ParameterCount, _optimizer.StateLength));
    }

    /// <summary>Loads a state given as bytes (a checkpoint's).</summary>
    /// <exception cref="InvalidDataException">when the bytes are not a state of this model and optimizer.</exception>
    public void ImportState(ReadOnlySpan<byte> stateBytes) =>
        ImportState(ReplicaState.FromBytes(stateBytes, ParameterCount, _optimizer.StateLength));

    public void Load(string path)
    {
        _model.load(path);
    }

    // A CPU tensor's storage does not move while the tensor lives; the span is only used to learn its address.
    private static unsafe IntPtr AddressOf(Tensor contiguous)
    {
        fixed (byte* start = contiguous.bytes)
        {
            return (IntPtr)start;
        }
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
        _lowPrecision?.Dispose();
        _flatGradients.Dispose();
        _staging?.Dispose();
    }
}
