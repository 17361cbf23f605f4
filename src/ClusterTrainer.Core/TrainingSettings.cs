using System.Text.Json.Serialization;

namespace ClusterTrainer.Core;

/// <summary>
/// Everything that decides what a supervised training run computes. Validated once, at the edge;
/// written next to the model so that a later evaluation or resume can check it.
/// </summary>
public sealed record TrainingSettings
{
    [JsonConverter(typeof(JsonStringEnumConverter<ModelKind>))]
    public ModelKind Model { get; init; } = ModelKind.Mlp;

    /// <summary>A data directory or CSV file; null means the default search (see README).</summary>
    public string? Data { get; init; }

    public int Epochs { get; init; } = 10;

    /// <summary>The global mini-batch: samples per optimizer step, split across the workers.</summary>
    public int BatchSize { get; init; } = 100;

    public double LearningRate { get; init; } = 0.05;

    [JsonConverter(typeof(JsonStringEnumConverter<ScheduleKind>))]
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;

    /// <summary>Share of the run's steps over which a cosine schedule warms up linearly (see <see cref="LearningRateSchedule"/>).</summary>
    public double LrWarmup { get; init; } = 0.02;

    /// <summary>
    /// Share of the run's steps, at its end, over which a cosine schedule decays (see <see cref="LearningRateSchedule"/>);
    /// a decay longer than what the warm-up leaves starts where the warm-up ends.
    /// </summary>
    public double LrDecay { get; init; } = 0.2;

    /// <summary>Where a cosine schedule ends, as a share of <see cref="LearningRate"/> (0: decay to zero).</summary>
    public double LrFloor { get; init; } = 0.1;

    /// <summary>
    /// Dropout rate of the model's hidden activations (0: none): after each hidden layer of the MLP, after the CNN's
    /// convolutional features and its fully connected layer, on the RNN's last state. Each sample's mask depends on
    /// the seed, the epoch, the sample and the layer only (<see cref="DropoutMask"/>), never on which worker
    /// computes it, so results do not change with the number of workers.
    /// </summary>
    public double Dropout { get; init; }

    /// <summary>
    /// Flip: each training image is mirrored left to right or not by a draw from its sample key (<see cref="MirrorDraw"/>),
    /// so on any worker and after any resume, and evaluation averages the predicted probabilities of each test image and
    /// its mirror. Fashion-MNIST's classes are mirror-symmetric (a shoe pointing left is still a shoe), so this doubles
    /// the images the network learns from without changing a label. Images only: it mirrors the last (width) axis.
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<AugmentKind>))]
    public AugmentKind Augment { get; init; } = AugmentKind.None;

    [JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>
    /// Adam's epsilon. 1e-7 (Keras' default, which the lecture used) rather than PyTorch's 1e-8: for weights whose
    /// gradient is nearly zero, Adam's step is roughly gradient / epsilon, and the smaller epsilon turns float
    /// rounding of such gradients into visible parameter noise (and replicas of different world sizes apart).
    /// </summary>
    public double AdamEpsilon { get; init; } = 1e-7;

    /// <summary>SGD momentum (0 = plain SGD).</summary>
    public double Momentum { get; init; } = 0.9;

    public int Seed { get; init; } = 1;

    /// <summary>Use only the first N training samples (null = all).</summary>
    public int? Limit { get; init; }

    /// <summary>
    /// Intra-op threads for each worker; null lets each worker decide from the CPUs of its own node (its cores
    /// divided by the workers that share them), which in a container follows the CPU limit.
    /// </summary>
    public int? Threads { get; init; }

    public int Workers { get; init; } = 1;

    /// <summary>
    /// The most workers the job may grow to: a worker node that registers while the job runs with fewer joins it at the
    /// next step boundary. Null: the requested <see cref="Workers"/> (a job that lost a worker takes a replacement).
    /// </summary>
    public int? MaxWorkers { get; init; }

    /// <summary>
    /// The fewest workers a job goes on with after losing some: below it, the job waits for worker nodes to register and
    /// join it (bounded), then fails saying so. 1: any survivor goes on.
    /// </summary>
    public int MinWorkers { get; init; } = 1;

    /// <summary>The job's ceiling of workers (see <see cref="MaxWorkers"/>).</summary>
    [JsonIgnore]
    public int WorkerCeiling => MaxWorkers ?? Workers;

    public int Shards { get; init; } = 1;

    /// <summary>Hidden layer sizes of the MLP models (the RNN uses the first as its state size).</summary>
    public int[] Hidden { get; init; } = [256, 256];

    [JsonConverter(typeof(JsonStringEnumConverter<Activation>))]
    public Activation Activation { get; init; } = Activation.Relu;

    /// <summary>"cpu" or "cuda" (the latter needs the CUDA TorchSharp build, see README).</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// Whether the gradient exchange reads a host copy of the gradients (copy out, all-reduce, copy in) instead of
    /// the gradient tensor itself. Auto stages exactly when the device is not the CPU; Always forces the staging
    /// path on the CPU too (how it is tested without a GPU); Never refuses a device whose memory the exchange cannot read.
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ExchangeStaging>))]
    public ExchangeStaging ExchangeStaging { get; init; } = ExchangeStaging.Auto;

    /// <summary>
    /// The most classes the labels may make. A label column with thousands of distinct values is almost always an id
    /// or a measurement taken for the label, and trains for minutes to nothing; a run that means it raises the limit.
    /// </summary>
    public int MaxClasses { get; init; } = 1000;

    /// <summary>
    /// Float32 (default), or bf16 mixed precision: forward and backward run on a bfloat16 copy of the model, while the
    /// parameters, the exchanged gradients and the optimizer state stay float32 (TorchSharp 0.107 has no autocast).
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<Precision>))]
    public Precision Precision { get; init; } = Precision.Float32;

    /// <summary>
    /// What the gradient all-reduce carries: float32 (default), or bfloat16, half the bytes, each partial sum rounded to
    /// bfloat16 (see ClusterTrainer.Exchange.Compact.Bf16Vector). Independent of <see cref="Precision"/>.
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<Precision>))]
    public Precision ExchangePrecision { get; init; } = Precision.Float32;

    /// <summary>
    /// How workers in separate processes all-reduce: one ring (default), or hierarchical, a ring per row and per column
    /// of a grid of the workers (ClusterTrainer.Exchange.Tcp.TwoLevelGrid), the same bytes in fewer hops, for many
    /// workers on links with latency. A world with no grid (below 4, or prime) runs the one ring. In one process the
    /// workers sum in shared memory, so `train` refuses hierarchical.
    /// </summary>
    [JsonConverter(typeof(JsonStringEnumConverter<AllReduceKind>))]
    public AllReduceKind AllReduce { get; init; } = AllReduceKind.Ring;

    /// <summary>
    /// Overlap the exchange with backward: backward runs stage by stage (layer boundaries), and each bucket of at least
    /// this many MB of gradients is all-reduced while the stages before it run backward, as DDP's gradient buckets are.
    /// Null: one all-reduce after backward. The parameters are the same bits either way (see GradientBuffer.Slice).
    /// </summary>
    public int? BucketMb { get; init; }

    /// <summary>
    /// Bitwise-identical parameters for any number of workers: every global batch is cut into micro-batches of
    /// <see cref="MicroBatchSize"/> whatever the world, each micro-batch's gradient is computed alone, and they are
    /// summed exactly (int64 fixed point with a scale the workers agree on each step); losses are summed exactly too.
    /// </summary>
    public bool Deterministic { get; init; }

    /// <summary>Samples per micro-batch in deterministic mode; null takes <see cref="MicroBatchSize"/>'s default.</summary>
    public int? MicroBatch { get; init; }

    /// <summary>
    /// The micro-batch of deterministic mode: as given, or half the global batch (rounded up). Each micro-batch is a
    /// forward and backward call of its own, and smaller calls cost more per sample (measured: the CNN at batch 64 ran
    /// 0.76 x the default mode with micro-batches of 16, at par with 32), so two per step keep one or two workers (the
    /// fastest counts on 2 cores) at full speed; more workers need a smaller --micro-batch to share a step. It depends
    /// on the batch, never on the number of workers.
    /// </summary>
    [JsonIgnore]
    public int MicroBatchSize => MicroBatch ?? ((BatchSize + 1) / 2);

    /// <summary>
    /// Write a checkpoint every this many steps, besides the one at each epoch's end; null: each epoch's end, and
    /// within an epoch whenever 5 minutes of training have passed since the last one (see <see cref="Checkpoints.CheckpointPolicy"/>).
    /// </summary>
    public int? CheckpointEvery { get; init; }

    /// <summary>Compare replica parameter checksums every this many steps (and at every epoch end).</summary>
    public int ChecksumEvery { get; init; } = 200;

    /// <summary>
    /// The defaults the README documents for each model, tuned on full Fashion-MNIST. Worker counts are what
    /// `clustertrainer bench` measured fastest on 2 cores: two single-threaded replicas beat one two-threaded
    /// replica for the convolutional and recurrent models; the small MLP is fastest as one replica.
    /// </summary>
    public static TrainingSettings DefaultsFor(ModelKind model) => model switch
    {
        ModelKind.Mlp => new TrainingSettings { Model = model, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, BatchSize = 100, Hidden = [256, 256] },
        ModelKind.Cnn => new TrainingSettings { Model = model, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, BatchSize = 32, Hidden = [256], Workers = 2, Dropout = 0.1, LrDecay = 0.4, Augment = AugmentKind.Flip },
        ModelKind.Rnn => new TrainingSettings { Model = model, Optimizer = OptimizerKind.Adam, LearningRate = 3e-3, BatchSize = 100, Hidden = [128], Workers = 2, Dropout = 0.1 },
        ModelKind.Tabular => new TrainingSettings { Model = model, Optimizer = OptimizerKind.Adam, LearningRate = 1e-2, BatchSize = 16, Epochs = 50, Hidden = [16] },
        _ => throw new SettingsException("--model", $"unknown model '{model}'"),
    };

    /// <summary>Intra-op threads each worker should use so that the workers do not oversubscribe the cores.</summary>
    public int ThreadsPerWorker(int cores) => ThreadsPerWorker(cores, Workers);

    /// <summary>
    /// Intra-op threads of a worker on a node with <paramref name="cores"/> cores shared by
    /// <paramref name="workersSharingCores"/> workers (the job's workers in one process; one on a worker node).
    /// </summary>
    /// <remarks>
    /// Deterministic mode defaults to one thread whatever the cores: libtorch cuts some reductions (a bias gradient's
    /// sum over the batch) into one piece per thread, so a micro-batch's gradient bits follow the thread count, and a
    /// count derived from the workers would make them follow the workers. An explicit --threads is kept: the bits are
    /// then those of that thread count, the same at every worker count.
    /// </remarks>
    public int ThreadsPerWorker(int cores, int workersSharingCores) =>
        Threads ?? (Deterministic ? 1 : Math.Max(1, cores / Math.Max(1, workersSharingCores)));

    /// <summary>Whether this job's gradient exchange goes through a host staging buffer (see <see cref="ExchangeStaging"/>).</summary>
    [JsonIgnore]
    public bool StagesExchange => ExchangeStaging switch
    {
        ExchangeStaging.Always => true,
        ExchangeStaging.Never => false,
        _ => Device != "cpu",
    };

    /// <exception cref="SettingsException">naming the first setting that is out of range.</exception>
    public TrainingSettings Validate()
    {
        Require(Epochs >= 1, "--epochs", $"must be at least 1 (got {Epochs})");
        Require(BatchSize >= 1, "--batch-size", $"must be at least 1 (got {BatchSize})");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), "--lr", $"must be a positive number (got {LearningRate})");
        Require(AdamEpsilon > 0 && double.IsFinite(AdamEpsilon), "--adam-epsilon", $"must be a positive number (got {AdamEpsilon})");
        Require(LrWarmup is >= 0 and < 1, "--lr-warmup", $"must be in [0, 1): a share of the run's steps (got {LrWarmup})");
        Require(LrDecay is > 0 and <= 1, "--lr-decay", $"must be in (0, 1]: a share of the run's steps (1 = decay over the whole run) (got {LrDecay})");
        Require(LrFloor is >= 0 and <= 1, "--lr-floor", $"must be in [0, 1]: a share of --lr (got {LrFloor})");
        Require(Dropout is >= 0 and < 1, "--dropout", $"must be in [0, 1) (got {Dropout})");
        Require(Enum.IsDefined(Augment), "--augment", $"must be none or flip (got '{Augment}')");
        Require(Momentum is >= 0 and < 1, "--momentum", $"must be in [0, 1) (got {Momentum})");
        Require(Limit is null or >= 1, "--limit", $"must be at least 1 (got {Limit})");
        Require(Threads is null or >= 1, "--threads", $"must be at least 1 (got {Threads})");
        Require(Workers is >= 1 and <= 256, "--workers", $"must be between 1 and 256 (got {Workers})");
        Require(MinWorkers >= 1 && MinWorkers <= Workers, "--min-workers", $"must be between 1 and --workers ({Workers}) (got {MinWorkers})");
        Require(MaxWorkers is null || (MaxWorkers >= Workers && MaxWorkers <= 256), "--max-workers", $"must be between --workers ({Workers}) and 256 (got {MaxWorkers})");
        Require(Shards is >= 1 and <= 256, "--shards", $"must be between 1 and 256 (got {Shards})");
        Require(Hidden.Length >= 1 && Hidden.All(h => h >= 1), "--hidden", "needs at least one layer size, each at least 1 (for example 256,256)");
        var model = Model.ToString().ToLowerInvariant();
        Require(Hidden.Length == 1 || Model is ModelKind.Mlp or ModelKind.Tabular, "--hidden",
            $"the {model} has one hidden size ({(Model == ModelKind.Cnn ? "its fully connected layer" : "the GRU's state")}), got {Hidden.Length}: give one, for example --hidden {Hidden[0]}");
        Require(Activation == Activation.Relu || Model is ModelKind.Mlp or ModelKind.Tabular, "--activation",
            $"applies to the mlp and tabular models only; the {model} has its own ({(Model == ModelKind.Cnn ? "ReLU" : "the GRU's gates")})");
        Require(MaxClasses >= 2, "--max-classes", $"must be at least 2 (got {MaxClasses})");
        Require(Device is "cpu" or "cuda", "--device", $"must be cpu or cuda (got '{Device}')");
        Require(Enum.IsDefined(ExchangeStaging), "--exchange-staging", $"must be auto, always or never (got '{ExchangeStaging}')");
        Require(ExchangeStaging != ExchangeStaging.Never || Device == "cpu", "--exchange-staging",
            $"never cannot be used with --device {Device}: the exchange reads host memory, so {Device} gradients must be staged (use auto or always)");
        Require(Enum.IsDefined(Precision), "--precision", $"must be float32 or bf16 (got '{Precision}')");
        Require(Enum.IsDefined(ExchangePrecision), "--exchange-precision", $"must be float32 or bf16 (got '{ExchangePrecision}')");
        Require(!(Deterministic && ExchangePrecision == Precision.Bf16), "--exchange-precision",
            "bf16 cannot be used with --deterministic: deterministic mode sums exact int64 fixed-point gradients, which bf16 would round. Leave one of them out");
        Require(Enum.IsDefined(AllReduce), "--all-reduce", $"must be ring or hierarchical (got '{AllReduce}')");
        Require(BucketMb is null or (>= 1 and <= 1024), "--bucket-mb", $"must be 1 to 1024 (got {BucketMb}); leave it out for one exchange after backward");
        Require(BucketMb is null || !Deterministic, "--bucket-mb", "cannot be used with --deterministic, which exchanges each micro-batch's exact int64 gradient after its own backward; leave one of them out");
        Require(BucketMb is null || Precision == Precision.Float32, "--bucket-mb", "needs --precision float32: bf16 backward runs on a copy of the model whose gradients are widened after backward; leave one of them out");
        Require(BucketMb is null || ExchangePrecision == Precision.Float32, "--bucket-mb", "needs --exchange-precision float32: the bf16 wire rounds the whole gradient after backward; leave one of them out");
        Require(BucketMb is null || !StagesExchange, "--bucket-mb", $"needs gradients exchanged in place in host memory, but this job stages them (--device {Device}, --exchange-staging {ExchangeStaging.ToString().ToLowerInvariant()}); leave it out");
        Require(MicroBatch is null || Deterministic, "--micro-batch", "applies with --deterministic only (it sets how deterministic mode cuts each batch); add --deterministic or leave it out");
        Require(MicroBatch is null || (MicroBatch >= 1 && MicroBatch <= BatchSize), "--micro-batch", $"must be between 1 and the batch size {BatchSize} (got {MicroBatch})");
        Require(CheckpointEvery is null or >= 1, "--checkpoint-every", $"must be at least 1 (got {CheckpointEvery}); leave it out for a checkpoint at each epoch's end");
        Require(ChecksumEvery >= 1, "--checksum-every", $"must be at least 1 (got {ChecksumEvery})");
        return this;
    }

    private static void Require(bool condition, string setting, string message)
    {
        if (!condition)
        {
            throw new SettingsException(setting, message);
        }
    }
}
