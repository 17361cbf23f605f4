using System.Diagnostics;
using Akka.Actor;
using ClusterTrainer.Cluster.Metrics;
using ClusterTrainer.Exchange.Providers;
using ClusterTrainer.Cluster.Shards;
using ClusterTrainer.Exchange;
using ClusterTrainer.Exchange.Compact;
using ClusterTrainer.Exchange.Exact;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Threading;
using ClusterTrainer.Data;
using ClusterTrainer.Models;
using Serilog;
using TorchSharp;

namespace ClusterTrainer.Cluster.Workers;

/// <summary>
/// Owns one model replica. Steps, evaluation and saving run on the worker's own thread and come back as
/// messages, so the mailbox stays free: status queries are answered while a step runs, and samples for
/// the next steps are fetched while the current one computes.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor releases its resources in PostStop, not Dispose.")]
public sealed class WorkerActor : ReceiveActor, IWithTimers
{
    private readonly ILogger _log;
    private readonly IWorkerExchangeProvider _exchanges;
    private readonly WorkerTimeouts _timeouts;
    private readonly WorkerPlacement _placement;
    private readonly NodeMetrics? _metrics;
    private readonly SortedDictionary<long, PendingStep> _pending = [];
    private readonly Dictionary<long, (long Sequence, int Part)> _fetches = [];
    private readonly ChunkAssembly _restoreChunks = new();
    private PrepareWorker? _job;

    /// <summary>
    /// The preparation this worker runs (one attempt of one job), as it arrived: a regroup renumbers the worker in
    /// <see cref="_job"/> but keeps the attempt, so a step blocked in the old ring still comes back to it.
    /// </summary>
    private PrepareWorker? _attempt;

    /// <summary>The ring generation the worker is in: a step of an earlier one was broken by the regroup, as expected.</summary>
    private int _generation;

    /// <summary>A regroup ready to be reported while the old ring's step is still on its way back (see <see cref="ReportRegrouped"/>).</summary>
    private RegroupPrepared? _regroupReady;
    private ShardMap? _shardMap;
    private DedicatedThread? _thread;
    private Replica? _replica;

    // The deterministic mode's step (micro-batches, exact sum); null in the default mode.
    private ExactGradientStep? _exact;

    // --exchange-precision bf16: the gradient's bfloat16 copy that travels instead of its float32 values.
    private Bf16Vector? _wire;

    // --bucket-mb: the gradient buckets each step all-reduces while backward goes on; null exchanges after backward.
    private IReadOnlyList<GradientBucket>? _buckets;
    private IGradientExchange? _exchange;

    // The exchange group this worker is in: the job id, then "#generation" once the job's workers changed.
    private string _exchangeKey = string.Empty;
    private IActorRef _coordinator = ActorRefs.Nobody;
    private long _nextRequestId;
    private long _lastCompleted = -1;
    private bool _busy;

    // When the next step became due (its assignment in, no step running) while its samples were not all in; 0 otherwise.
    private long _dataWaitStarted;
    private string _state = "idle";

    /// <param name="placement">Where the worker runs: its node's name and cores, for the job's threads and device checks.</param>
    /// <param name="metrics">Where step timings and exchange bytes are recorded (the node's /metrics); null for nowhere.</param>
    public WorkerActor(ILogger log, IWorkerExchangeProvider exchanges, WorkerTimeouts timeouts, WorkerPlacement placement, NodeMetrics? metrics = null)
    {
        _log = log;
        _exchanges = exchanges;
        _timeouts = timeouts;
        _placement = placement;
        _metrics = metrics;
        Idle();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ILogger log, IWorkerExchangeProvider exchanges, WorkerTimeouts timeouts, WorkerPlacement placement, NodeMetrics? metrics = null) =>
        Akka.Actor.Props.Create(() => new WorkerActor(log, exchanges, timeouts, placement, metrics));

    private PrepareWorker Job => _job ?? throw new InvalidOperationException("no job");

    private void Idle()
    {
        _state = "idle";
        Receive<PrepareWorker>(Prepare);
        Receive<GetWorkerStatus>(_ => ReplyStatus());
        Receive<ReleaseJob>(_ => { });
    }

    private void Prepare(PrepareWorker job)
    {
        _job = job;
        _attempt = job;
        _generation = 0;
        _regroupReady = null;
        _coordinator = Sender;
        _state = "preparing";
        _shardMap = new ShardMap(job.TrainSamples, job.TrainShards.Count);
        var threads = _placement.ThreadsFor(job.Settings);
        _thread = new DedicatedThread($"worker-{job.Rank}", () => torch.set_num_threads(threads));
        Become(Working);
        RunAndReply(_ =>
        {
            Devices.RequireAvailable(job.Settings.Device, _placement.Node);
            _replica = new Replica(job.Settings, job.SampleShape, job.Classes, job.Settings.Seed);
            _exact = job.Settings.Deterministic ? new ExactGradientStep(_replica, job.Rank, job.WorldSize) : null;
            _wire = job.Settings.ExchangePrecision == Precision.Bf16 ? new Bf16Vector(_replica.ParameterCount) : null;
            _buckets = job.Settings.BucketMb is { } megabytes
                ? _replica.PlanBuckets((long)megabytes << 20) ?? throw new InvalidOperationException($"the {job.Settings.Model} cannot run backward in stages, so --bucket-mb cannot be used with it")
                : null;
            var endpoint = _exchanges.Prepare(job.JobId, job.Rank, job.WorldSize, job.Settings.AllReduce);
            _exchangeKey = job.JobId;
            // What libtorch reports on the step thread, so the record shows what really runs.
            var running = torch.get_num_threads();
            _log.ForContext("JobId", job.JobId).Information(
                "Worker {Worker} of {WorldSize} built a {Model} replica on {Device} ({Parameters} parameters, {Threads} threads from {ThreadSource}, exchange {Staging}), exchange endpoint {Endpoint}",
                job.Rank, job.WorldSize, job.Settings.Model, job.Settings.Device, _replica.ParameterCount, running,
                job.Settings.Threads is null ? $"{_placement.Cores} cores shared by {_placement.WorkersOnNode} workers on {_placement.Node}" : "the job's settings",
                _replica.StagesExchange ? "staged through host memory" : "in place", endpoint.Length == 0 ? "shared memory" : endpoint);
            return new WorkerPrepared(job.JobId, job.Rank, _replica.ParameterCount, endpoint, running);
        }, needsReplica: false);
    }

    private void Working()
    {
        _state = "ready";
        Receive<GetWorkerStatus>(_ => ReplyStatus());
        Receive<ConnectExchange>(m => IsCurrent(m.JobId), m => RunAndReply(_ =>
        {
            _exchange = _exchanges.Connect(_exchangeKey, Job.Rank, m.Endpoints, _timeouts.Connect);
            return new ExchangeConnected(m.JobId, Job.Rank);
        }));
        Receive<BroadcastInitialParameters>(m => IsCurrent(m.JobId), m => RunAndReply(replica =>
        {
            replica.BroadcastParameters(buffer => _exchange!.AllReduceSum(buffer, CancellationToken.None), isSource: Job.Rank == 0);
            return new ParametersLoaded(m.JobId, Job.Rank, replica.Checksum());
        }));
        Receive<RegroupWorker>(m => IsCurrent(m.JobId), Regroup);
        Receive<RegroupPrepared>(m => IsCurrent(m.Request.JobId), ReportRegrouped);
        Receive<BroadcastState>(m => IsCurrent(m.JobId), m =>
        {
            // Whatever was queued or fetched for the old numbering is void: the next step is the one named here.
            _pending.Clear();
            _fetches.Clear();
            _lastCompleted = m.NextSequence - 1;
            var exchange = _exchange!;
            RunAndReply(replica =>
            {
                replica.BroadcastState(words => exchange.AllReduceSum(words, CancellationToken.None), isSource: Job.Rank == m.SourceRank);
                return new ParametersLoaded(m.JobId, Job.Rank, replica.Checksum());
            });
        });
        Receive<RestoreStateChunk>(m => IsCurrent(m.JobId), m =>
        {
            if (_restoreChunks.Add(m.Index, m.Count, m.Bytes) is not { } state)
            {
                return;
            }

            RunAndReply(replica =>
            {
                replica.ImportState(state);
                return new StateRestored(m.JobId, Job.Rank);
            });
        });
        Receive<CaptureState>(m => IsCurrent(m.JobId), m =>
        {
            var job = Job;
            _thread!.Run(() => new CapturedState(m.JobId, m.Sequence, _replica!.ExportState().ToBytes(), _replica.Checksum()))
                .PipeTo(Self, Self, failure: error => new StepFailed(job.JobId, m.Sequence, job.Rank, $"could not capture the replica's state: {error.GetBaseException().Message}"));
        });
        Receive<CapturedState>(m => IsCurrent(m.JobId), m =>
        {
            var chunks = m.Bytes.Chunk(StateChunk.MaxBytes).ToArray();
            for (var i = 0; i < chunks.Length; i++)
            {
                _coordinator.Tell(new StateChunk(m.JobId, m.Sequence, i, chunks.Length, chunks[i], m.Checksum));
            }
        });
        Receive<StartStep>(m => IsCurrent(m.JobId), Accept);
        Receive<SamplesServed>(Served);
        Receive<SamplesRefused>(m => FailFetch(m.RequestId, $"a shard refused samples: {m.Reason}"));
        Receive<FetchTimedOut>(m =>
        {
            if (_fetches.ContainsKey(m.RequestId))
            {
                FailFetch(m.RequestId, $"no samples from the shard within {_timeouts.Fetch.TotalSeconds:0.#} s");
            }
        });
        // A step of a superseded job, or of an earlier attempt of this job (the job manager started it again after a lost
        // worker), may still come back from the old thread, failed in the old ring: it belongs to no one now. A step of
        // this attempt that a regroup broke does come back here, so the worker is free for the next one.
        Receive<StepComputed>(m => ReferenceEquals(m.Attempt, _attempt), Computed);
        Receive<StepComputed>(_ => { });
        Receive<EvaluateChunks>(m => IsCurrent(m.JobId), Evaluate);
        Receive<SaveModel>(m => IsCurrent(m.JobId), m =>
        {
            var job = Job;
            _thread!.Run(() => new ModelBytes(m.JobId, _replica!.SaveToBytes()))
                .PipeTo(Self, Self, failure: error => new StepFailed(job.JobId, _lastCompleted, job.Rank, $"could not save the model: {error.GetBaseException().Message}"));
        });
        Receive<ModelBytes>(m => IsCurrent(m.JobId), m =>
        {
            var chunks = m.Bytes.Chunk(ModelChunk.MaxBytes).ToArray();
            for (var i = 0; i < chunks.Length; i++)
            {
                _coordinator.Tell(new ModelChunk(m.JobId, i, chunks.Length, chunks[i]));
            }
        });
        Receive<StepFailed>(m => _coordinator.Tell(m));
        Receive<ReleaseJob>(m =>
        {
            // A release of an earlier job, or of an earlier attempt of this job (a job the job manager started again
            // after a lost worker), can arrive after the next preparation: they come from different coordinators, and
            // must not tear down the job now running.
            if (m.JobId == Job.JobId && Sender.Equals(_coordinator))
            {
                Release(m.Reason);
            }
        });
        Receive<PrepareWorker>(m =>
        {
            // The job manager only starts a job when the previous one has ended, so a new job supersedes the old.
            ReleaseResources($"superseded by job {m.JobId}");
            Prepare(m);
        });
    }

    /// <summary>
    /// Leaves the old ring at once (which frees a step blocked in it), then, on the worker's thread after that step has
    /// come back, opens the new ring's endpoint. The step's own result reaches this actor first, so the last completed
    /// step reported with the endpoint is final.
    /// </summary>
    private void Regroup(RegroupWorker request)
    {
        var job = Job;
        _log.Warning("Worker {Worker} of job {JobId} regroups as worker {NewRank} of {WorldSize} (ring generation {Generation})",
            job.Rank, job.JobId, request.Rank, request.WorldSize, request.Generation);
        _exchanges.Release(_exchangeKey, job.Rank, $"the job's workers changed (generation {request.Generation})");
        _generation = request.Generation;
        _pending.Clear();
        _fetches.Clear();
        _dataWaitStarted = 0;
        var regrouped = job with { Rank = request.Rank, WorldSize = request.WorldSize };
        _job = regrouped;
        _exchangeKey = $"{job.JobId}#{request.Generation}";
        var key = _exchangeKey;
        var old = _exchange;
        _exchange = null;
        _thread!.Run(() =>
        {
            (old as IDisposable)?.Dispose();
            var endpoint = _exchanges.Prepare(key, regrouped.Rank, regrouped.WorldSize, regrouped.Settings.AllReduce);
            _exact = regrouped.Settings.Deterministic ? new ExactGradientStep(_replica!, regrouped.Rank, regrouped.WorldSize) : null;
            return new RegroupPrepared(request, endpoint, _replica!.Checksum());
        }).PipeTo(Self, Self, failure: error => new StepFailed(job.JobId, _lastCompleted + 1, request.Rank, $"could not join the new ring: {error.GetBaseException().Message}"));
    }

    /// <summary>
    /// Tells the coordinator the worker is in the new ring and the last step its replica completed. The regroup's work
    /// runs on the worker's thread after the old ring's step, but the two results travel back separately: while that
    /// step's result is still on its way (the worker is busy), the report waits for it, so the step it names is final.
    /// </summary>
    private void ReportRegrouped(RegroupPrepared prepared)
    {
        if (_busy)
        {
            _regroupReady = prepared;
            return;
        }

        _regroupReady = null;
        var request = prepared.Request;
        _coordinator.Tell(new WorkerRegrouped(request.JobId, request.Generation, request.Rank, prepared.Endpoint, _lastCompleted, prepared.Checksum));
    }

    /// <summary>Messages of an earlier job may still arrive; only the current job's are acted on.</summary>
    private bool IsCurrent(string jobId) => _job?.JobId == jobId;

    private void RunAndReply<T>(Func<Replica, T> work, bool needsReplica = true)
    {
        var job = Job;
        var coordinator = _coordinator;
        _thread!.Run(() => work(needsReplica ? _replica! : null!))
            .PipeTo(coordinator, Self, failure: error => new StepFailed(job.JobId, _lastCompleted + 1, job.Rank, error.GetBaseException().Message));
    }

    private void Accept(StartStep step)
    {
        var job = Job;
        IReadOnlyList<(int Shard, int[] Indices)> requests;
        try
        {
            requests = _shardMap!.Split(step.Assignment, FetchSamples.MaxSamples);
        }
        catch (ArgumentOutOfRangeException error)
        {
            Sender.Tell(new StepFailed(job.JobId, step.Sequence, job.Rank, $"step {step.Step} of epoch {step.Epoch} names samples this cluster does not have: {error.Message}"));
            return;
        }

        _pending[step.Sequence] = new PendingStep(step, requests.Select(r => r.Indices).ToArray());
        for (var part = 0; part < requests.Count; part++)
        {
            var id = ++_nextRequestId;
            _fetches[id] = (step.Sequence, part);
            job.TrainShards[requests[part].Shard].Tell(new FetchSamples(id, requests[part].Indices));
            Timers.StartSingleTimer(("fetch", id), new FetchTimedOut(id), _timeouts.Fetch);
        }

        TryRunNext();
    }

    private void Served(SamplesServed served)
    {
        if (!_fetches.Remove(served.RequestId, out var target))
        {
            return;
        }

        Timers.Cancel(("fetch", served.RequestId));
        if (_pending.TryGetValue(target.Sequence, out var pending))
        {
            pending.Receive(target.Part, served.Batch);
        }

        TryRunNext();
    }

    /// <summary>Starts the next step in sequence order once its samples are in and no step is running.</summary>
    private void TryRunNext()
    {
        if (_busy || _pending.Count == 0)
        {
            return;
        }

        var (sequence, next) = _pending.First();
        if (sequence != _lastCompleted + 1)
        {
            return;
        }

        if (!next.Ready)
        {
            _dataWaitStarted = _dataWaitStarted == 0 ? Stopwatch.GetTimestamp() : _dataWaitStarted;
            return;
        }

        var dataWait = _dataWaitStarted == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_dataWaitStarted);
        _dataWaitStarted = 0;
        _pending.Remove(sequence);
        _busy = true;
        _state = "training";
        var command = next.Command;
        var attempt = _attempt;
        var generation = _generation;
        var learningRate = Job.Settings.LearningRate;
        var microBatch = Job.Settings.MicroBatchSize;
        var batch = next.Assemble();
        var sampleKeys = DropoutMask.SampleKeys(Job.Settings.Seed, command.Epoch, command.Assignment);
        var exchange = _exchange!;
        _thread!.Run(() =>
        {
            var replica = _replica!;
            var traffic = exchange as IExchangeTraffic;
            var (sentBefore, receivedBefore) = (traffic?.BytesSent ?? 0, traffic?.BytesReceived ?? 0);
            var started = Stopwatch.GetTimestamp();
            double lossSum;
            TimeSpan exchangeTime;
            if (_exact is { } exact)
            {
                lossSum = exact.Run(batch, sampleKeys, command.GlobalBatchSize, microBatch, exchange, CancellationToken.None);
                exchangeTime = exact.LastExchange;
            }
            else if (_buckets is { } buckets)
            {
                (lossSum, exchangeTime) = OverlappedStep(replica, exchange, buckets, batch, command.GlobalBatchSize, sampleKeys);
            }
            else
            {
                lossSum = replica.ComputeGradients(batch, command.GlobalBatchSize, sampleKeys);
                var computed = Stopwatch.GetTimestamp();
                var wire = _wire;
                replica.AllReduceGradients(buffer =>
                {
                    if (wire is null)
                    {
                        exchange.AllReduceSum(buffer, CancellationToken.None);
                    }
                    else
                    {
                        Bf16GradientExchange.AllReduceSum(exchange, buffer, wire, CancellationToken.None);
                    }
                });
                exchangeTime = Stopwatch.GetElapsedTime(computed);
            }

            // Every rank holds the same averaged gradient, so every rank stops at the same step, before the
            // optimizer writes NaN into the weights.
            var gradientNorm = replica.GradientNorm();
            if (Divergence.IsDiverged(lossSum, gradientNorm))
            {
                return new StepComputed(command, lossSum, batch.Count, null,
                    Divergence.Describe(command.Epoch, command.Step, command.Sequence, lossSum, gradientNorm, learningRate))
                { Attempt = attempt, Generation = generation };
            }

            replica.ApplyStep(command.LearningRate);
            var checksum = command.ReportChecksum ? replica.Checksum() : null;
            var timing = new StepTiming(
                Stopwatch.GetElapsedTime(started) - exchangeTime,
                exchangeTime,
                dataWait,
                (traffic?.BytesSent ?? 0) - sentBefore,
                (traffic?.BytesReceived ?? 0) - receivedBefore);
            return new StepComputed(command, lossSum, batch.Count, checksum, Timing: timing) { Attempt = attempt, Generation = generation };
        }).PipeTo(Self, Self, failure: error => new StepComputed(command, double.NaN, 0, null, error.GetBaseException().Message) { Attempt = attempt, Generation = generation });
    }

    /// <summary>
    /// Backward stage by stage, each bucket's all-reduce started on a pool thread as soon as backward has made it final,
    /// the buckets one after another in the same order on every worker (the ring carries one call at a time). The
    /// exchange time returned is what backward did not hide: the wait for the last buckets after it ended.
    /// </summary>
    private static (double LossSum, TimeSpan ExposedExchange) OverlappedStep(
        Replica replica, IGradientExchange exchange, IReadOnlyList<GradientBucket> buckets, SampleBatch batch, int globalBatchSize, long[] sampleKeys)
    {
        var gradients = replica.Gradients;
        var pending = Task.CompletedTask;
        double lossSum;
        try
        {
            lossSum = replica.ComputeGradientsInBuckets(batch, globalBatchSize, sampleKeys, buckets, bucket =>
            {
                var slice = gradients.Slice(bucket.Offset, bucket.Count);
                pending = pending.ContinueWith(
                    previous =>
                    {
                        // A bucket after a failed one fails with it: the ring is broken.
                        previous.GetAwaiter().GetResult();
                        exchange.AllReduceSum(slice, CancellationToken.None);
                    },
                    CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            });
        }
        catch
        {
            // No all-reduce may still run on this replica's gradients when the step reports its failure.
            ((IAsyncResult)pending).AsyncWaitHandle.WaitOne();
            throw;
        }

        var computed = Stopwatch.GetTimestamp();
        pending.GetAwaiter().GetResult();
        return (lossSum, Stopwatch.GetElapsedTime(computed));
    }

    private void Computed(StepComputed result)
    {
        _busy = false;
        _state = "ready";
        var job = Job;
        var command = result.Command;
        if (result.Error is not null && result.Generation != _generation)
        {
            // The regroup broke this step on purpose (it left the old ring): nothing to report but the regroup.
            _log.Debug("Worker {Worker} dropped step {Step} of epoch {Epoch}, broken by the regroup: {Reason}", job.Rank, command.Step, command.Epoch, result.Error);
            FlushRegroup();
            TryRunNext();
            return;
        }

        if (result.Error is not null)
        {
            _log.Error("Worker {Worker} failed step {Step} of epoch {Epoch}: {Reason}", job.Rank, command.Step, command.Epoch, result.Error);
            _coordinator.Tell(new StepFailed(job.JobId, command.Sequence, job.Rank, result.Error));
            return;
        }

        _lastCompleted = command.Sequence;
        if (result.Timing is { } timing)
        {
            _metrics?.WorkerStep(result.Samples, timing.Compute, timing.Exchange, timing.DataWait, timing.BytesSent, timing.BytesReceived);
        }

        if (command.Step % 50 == 0)
        {
            _log.Debug("Worker {Worker} finished step {Step} of epoch {Epoch} of job {JobId}: loss {Loss:F4} over {Samples} samples",
                job.Rank, command.Step, command.Epoch, job.JobId, result.Samples == 0 ? 0 : result.LossSum / result.Samples, result.Samples);
        }

        _coordinator.Tell(new StepCompleted(job.JobId, command.Sequence, command.Epoch, command.Step, job.Rank, result.LossSum, result.Samples, result.Checksum));
        FlushRegroup();
        TryRunNext();
    }

    private void FlushRegroup()
    {
        if (_regroupReady is { } ready)
        {
            ReportRegrouped(ready);
        }
    }

    private void Evaluate(EvaluateChunks request)
    {
        var job = Job;
        var replyTo = Sender;
        var parts = request.Chunks
            .Select(chunk => Enumerable.Range(0, (chunk.Count + FetchSamples.MaxSamples - 1) / FetchSamples.MaxSamples)
                .Select(i => job.TestShard.Ask<SamplesServed>(
                    new FetchRange(++_nextRequestId, chunk.Start + (i * FetchSamples.MaxSamples), Math.Min(FetchSamples.MaxSamples, chunk.Count - (i * FetchSamples.MaxSamples))),
                    _timeouts.Fetch))
                .ToArray())
            .ToArray();
        var thread = _thread!;
        Task.WhenAll(parts.SelectMany(p => p))
            .ContinueWith(
                _ => thread.Run(() =>
                {
                    int correct = 0, samples = 0;
                    double loss = 0;
                    var exact = job.Settings.Deterministic;
                    foreach (var chunk in parts)
                    {
                        // A chunk is evaluated as one batch whatever the number of workers, so logits are identical.
                        var batch = SampleBatch.Concat(chunk.Select(t => t.Result.Batch).ToArray());
                        var (c, l) = _replica!.Evaluate(batch);
                        correct += c;

                        // Rounded, the chunks' losses add up to the same bits however the chunks were dealt.
                        loss += exact ? ExactLoss.Round(l) : l;
                        samples += batch.Count;
                    }

                    return new EvaluationCompleted(job.JobId, request.Epoch, job.Rank, correct, loss, samples);
                }),
                TaskScheduler.Default)
            .Unwrap()
            .PipeTo(replyTo, Self, failure: error => new StepFailed(job.JobId, _lastCompleted, job.Rank, $"evaluation failed: {error.GetBaseException().Message}"));
    }

    private void FailFetch(long requestId, string reason)
    {
        if (_fetches.Remove(requestId, out var target))
        {
            _pending.Remove(target.Sequence);
            _coordinator.Tell(new StepFailed(Job.JobId, target.Sequence, Job.Rank, reason));
        }
    }

    private void Release(string reason)
    {
        ReleaseResources(reason);
        Become(Idle);
    }

    private void ReleaseResources(string reason)
    {
        if (_job is { } job)
        {
            // Break the exchange first: the worker thread may be waiting in it for a peer that is gone.
            _exchanges.Release(_exchangeKey.Length > 0 ? _exchangeKey : job.JobId, job.Rank, reason);
        }

        var replica = _replica;
        if (_thread is { } thread)
        {
            thread.Run(() => replica?.Dispose());
            thread.Dispose();
        }

        (_exchange as IDisposable)?.Dispose();
        _exchange = null;
        _exchangeKey = string.Empty;
        _replica = null;
        _exact = null;
        _thread = null;
        _job = null;
        _attempt = null;
        _regroupReady = null;
        _pending.Clear();
        _fetches.Clear();
        _restoreChunks.Clear();
        _lastCompleted = -1;
        _busy = false;
        _dataWaitStarted = 0;
    }

    private void ReplyStatus() =>
        Sender.Tell(new WorkerStatus(_job?.JobId, _job?.Rank ?? -1, _state, _lastCompleted, _pending.Count));

    protected override void PostStop()
    {
        ReleaseResources("worker stopped");
        base.PostStop();
    }

    private sealed record FetchTimedOut(long RequestId) : INoSerializationVerificationNeeded;

    private sealed record StepComputed(StartStep Command, double LossSum, int Samples, string? Checksum, string? Error = null, StepTiming? Timing = null) : INoSerializationVerificationNeeded
    {
        /// <summary>The preparation (one attempt of one job) the step was computed for.</summary>
        public PrepareWorker? Attempt { get; init; }

        /// <summary>The ring generation it ran in.</summary>
        public int Generation { get; init; }
    }

    /// <summary>Compute includes the optimizer step and the checksum; exchange is the all-reduce alone.</summary>
    private sealed record StepTiming(TimeSpan Compute, TimeSpan Exchange, TimeSpan DataWait, long BytesSent, long BytesReceived);

    private sealed record ModelBytes(string JobId, byte[] Bytes) : INoSerializationVerificationNeeded;

    private sealed record RegroupPrepared(RegroupWorker Request, string Endpoint, string Checksum) : INoSerializationVerificationNeeded;

    private sealed record CapturedState(string JobId, long Sequence, byte[] Bytes, string Checksum) : INoSerializationVerificationNeeded;
}
