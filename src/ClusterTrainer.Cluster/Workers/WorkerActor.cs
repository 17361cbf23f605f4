using Akka.Actor;
using ClusterTrainer.Cluster.Shards;
using ClusterTrainer.Core.Threading;
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
    private readonly TimeSpan _fetchTimeout;
    private readonly SortedDictionary<long, PendingStep> _pending = [];
    private readonly Dictionary<long, (long Sequence, int Part)> _fetches = [];
    private PrepareWorker? _job;
    private DedicatedThread? _thread;
    private Replica? _replica;
    private IActorRef _coordinator = ActorRefs.Nobody;
    private long _nextRequestId;
    private long _lastCompleted = -1;
    private bool _busy;
    private string _state = "idle";

    public WorkerActor(ILogger log, TimeSpan fetchTimeout)
    {
        _log = log;
        _fetchTimeout = fetchTimeout;
        Idle();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ILogger log, TimeSpan fetchTimeout) =>
        Akka.Actor.Props.Create(() => new WorkerActor(log, fetchTimeout));

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
        _coordinator = Sender;
        _state = "preparing";
        var threads = job.ThreadsPerWorker;
        _thread = new DedicatedThread($"worker-{job.Rank}", () => torch.set_num_threads(threads));
        var coordinator = Sender;
        _thread.Run(() =>
        {
            _replica = new Replica(job.Settings, job.SampleShape, job.Classes, job.Settings.Seed);
            return new WorkerPrepared(job.JobId, job.Rank, _replica.ParameterCount);
        }).PipeTo(coordinator, Self, failure: error => new StepFailed(job.JobId, -1, job.Rank, $"could not build the replica: {error.GetBaseException().Message}"));
        Become(Working);
    }

    private void Working()
    {
        _state = "ready";
        Receive<GetWorkerStatus>(_ => ReplyStatus());
        Receive<ExportParameters>(_ => RunAndReply(r => new ParametersExported(_job!.JobId, _job.Rank, r.ExportParameters())));
        Receive<LoadParameters>(m => RunAndReply(r =>
        {
            r.ImportParameters(m.Values);
            return new ParametersLoaded(_job!.JobId, _job.Rank, r.Checksum());
        }));
        Receive<StartStep>(Accept);
        Receive<SamplesServed>(Served);
        Receive<SamplesRefused>(m => FailFetch(m.RequestId, $"a shard refused samples: {m.Reason}"));
        Receive<FetchTimedOut>(m =>
        {
            if (_fetches.ContainsKey(m.RequestId))
            {
                FailFetch(m.RequestId, $"no samples from the shard within {_fetchTimeout.TotalSeconds:0.#} s");
            }
        });
        Receive<StepComputed>(Computed);
        Receive<EvaluateChunks>(Evaluate);
        Receive<SaveModel>(m => RunAndReply(r =>
        {
            r.Save(m.Path);
            return new ModelSaved(m.JobId, m.Path);
        }));
        Receive<Status.Failure>(f => _coordinator.Tell(new StepFailed(_job!.JobId, _lastCompleted + 1, _job.Rank, f.Cause.GetBaseException().Message)));
        Receive<ReleaseJob>(_ => Release());
    }

    private void RunAndReply<T>(Func<Replica, T> work)
    {
        var replyTo = Sender;
        var job = _job!;
        _thread!.Run(() => work(_replica!))
            .PipeTo(replyTo, Self, failure: error => new StepFailed(job.JobId, _lastCompleted + 1, job.Rank, error.GetBaseException().Message));
    }

    private void Accept(StartStep step)
    {
        var job = _job!;
        IReadOnlyList<(int Shard, int[] Indices)> requests;
        try
        {
            requests = job.TrainShardMap.Split(step.Assignment);
        }
        catch (ArgumentOutOfRangeException error)
        {
            Sender.Tell(new StepFailed(job.JobId, step.Sequence, job.Rank, $"step {step.Step} of epoch {step.Epoch} names samples this cluster does not have: {error.Message}"));
            return;
        }

        _pending[step.Sequence] = new PendingStep(step, requests.Count);
        for (var part = 0; part < requests.Count; part++)
        {
            var id = ++_nextRequestId;
            _fetches[id] = (step.Sequence, part);
            job.TrainShards[requests[part].Shard].Tell(new FetchSamples(id, requests[part].Indices));
            Timers.StartSingleTimer(("fetch", id), new FetchTimedOut(id), _fetchTimeout);
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

    /// <summary>Starts the lowest pending step when its samples are in and no step is running.</summary>
    private void TryRunNext()
    {
        if (_busy || _pending.Count == 0)
        {
            return;
        }

        var (sequence, next) = _pending.First();
        if (!next.Ready || sequence != _lastCompleted + 1)
        {
            return;
        }

        _pending.Remove(sequence);
        _busy = true;
        _state = "training";
        var job = _job!;
        var command = next.Command;
        var batch = next.Assemble();
        _thread!.Run(() =>
        {
            var replica = _replica!;
            var lossSum = replica.ComputeGradients(batch, command.GlobalBatchSize);
            job.Exchange.AllReduceSum(replica.Gradients, CancellationToken.None);
            replica.ApplyStep(command.LearningRate);
            var checksum = command.ReportChecksum ? replica.Checksum() : null;
            return new StepComputed(command, lossSum, batch.Count, checksum);
        }).PipeTo(Self, Self, failure: error => new StepComputed(command, double.NaN, 0, null, error.GetBaseException().Message));
    }

    private void Computed(StepComputed result)
    {
        _busy = false;
        _state = "ready";
        var job = _job!;
        var command = result.Command;
        if (result.Error is not null)
        {
            _log.Error("Worker {Worker} failed step {Step} of epoch {Epoch}: {Reason}", job.Rank, command.Step, command.Epoch, result.Error);
            _coordinator.Tell(new StepFailed(job.JobId, command.Sequence, job.Rank, result.Error));
            return;
        }

        _lastCompleted = command.Sequence;
        _coordinator.Tell(new StepCompleted(job.JobId, command.Sequence, command.Epoch, command.Step, job.Rank, result.LossSum, result.Samples, result.Checksum));
        TryRunNext();
    }

    private void Evaluate(EvaluateChunks request)
    {
        var job = _job!;
        var replyTo = Sender;
        var chunks = request.Chunks;
        if (chunks.Count == 0)
        {
            replyTo.Tell(new EvaluationCompleted(job.JobId, request.Epoch, job.Rank, 0, 0, 0));
            return;
        }

        var ask = chunks.Select(c => job.TestShard.Ask<SamplesServed>(new FetchRange(++_nextRequestId, c.Start, c.Count), _fetchTimeout)).ToArray();
        var thread = _thread!;
        Task.WhenAll(ask).ContinueWith(
            served => thread.Run(() =>
            {
                int correct = 0, samples = 0;
                double loss = 0;
                foreach (var part in served.Result)
                {
                    var (c, l) = _replica!.Evaluate(part.Batch);
                    correct += c;
                    loss += l;
                    samples += part.Batch.Count;
                }

                return new EvaluationCompleted(job.JobId, request.Epoch, job.Rank, correct, loss, samples);
            }),
            TaskScheduler.Default).Unwrap()
            .PipeTo(replyTo, Self, failure: error => new StepFailed(job.JobId, _lastCompleted, job.Rank, $"evaluation failed: {error.GetBaseException().Message}"));
    }

    private void FailFetch(long requestId, string reason)
    {
        if (_fetches.Remove(requestId, out var target))
        {
            _pending.Remove(target.Sequence);
            _coordinator.Tell(new StepFailed(_job!.JobId, target.Sequence, _job.Rank, reason));
        }
    }

    private void Release()
    {
        var replica = _replica;
        var thread = _thread;
        if (thread is not null)
        {
            thread.Run(() => replica?.Dispose());
            thread.Dispose();
        }

        _replica = null;
        _thread = null;
        _job = null;
        _pending.Clear();
        _fetches.Clear();
        _lastCompleted = -1;
        _busy = false;
        Become(Idle);
    }

    private void ReplyStatus() =>
        Sender.Tell(new WorkerStatus(_job?.JobId, _job?.Rank ?? -1, _state, _lastCompleted, _pending.Count));

    protected override void PostStop()
    {
        Release();
        base.PostStop();
    }

    private sealed record FetchTimedOut(long RequestId);

    private sealed record StepComputed(StartStep Command, double LossSum, int Samples, string? Checksum, string? Error = null);
}
