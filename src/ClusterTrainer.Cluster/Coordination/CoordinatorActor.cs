using System.Diagnostics;
using Akka.Actor;
using ClusterTrainer.Cluster.Shards;
using ClusterTrainer.Cluster.Workers;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Checkpoints;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Core.Outputs.TensorBoard;
using Serilog;

namespace ClusterTrainer.Cluster.Coordination;

/// <summary>
/// Runs one training job as an explicit state machine: Preparing -> Broadcasting -> Running <-> Evaluating
/// -> Saving -> Finished, or Failed / Cancelled from any of them. It plans every step, gathers results,
/// and alone writes the run's outputs. It never holds a tensor and never blocks.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor releases its resources in PostStop, not Dispose.")]
public sealed class CoordinatorActor : ReceiveActor, IWithTimers
{
    private const int StepWindow = 2;

    private readonly TrainingJob _job;
    private readonly List<IActorRef> _workers;
    private readonly IReadOnlyList<IActorRef> _trainShards;
    private readonly IActorRef _testShard;
    private string?[] _endpoints;
    private readonly ChunkAssembly _modelChunks = new();
    private readonly IActorRef _requester;
    private readonly ILogger _log;
    private readonly CoordinatorTimeouts _timeouts;
    private readonly RunDirectory _run;
    private readonly List<EpochMetrics> _metrics = [];
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly Stopwatch _training = new();
    private readonly HashSet<int> _acknowledged = [];
    private List<int> _threads;
    private readonly long _totalSteps;
    private readonly int _stepsPerEpoch;
    private readonly CheckpointStore _checkpoints;
    private readonly CheckpointPolicy _checkpointPolicy;
    private readonly ChunkAssembly _stateChunks = new();
    private readonly List<MembershipChange> _membership = [];
    private readonly List<long> _epochSampleCounts = [];
    private readonly List<WorkerJoined> _joining = [];

    private string _state = "preparing";
    private DateTime _lastProgress = DateTime.UtcNow;
    private int _epoch;
    private long _nextSequence;
    private long _samplesDone;
    private EpochPlan? _plan;
    private StepLedger? _ledger;
    private double _lastLoss = double.NaN;
    private string _checksum = "";
    private int _evalCorrect;
    private double _evalLoss;
    private int _evalSamples;
    private double _epochSeconds;
    private TrainingEventLog? _events;
    private string? _firstStepFailure;

    // Training seconds of the run before this coordinator (a resumed checkpoint's), and at the last checkpoint.
    private double _trainSecondsBefore;
    private TimeSpan _lastCheckpointAt;
    private bool _checkpointDue;
    private bool _cancelRequested;

    // Samples of the current epoch trained before this coordinator started (a resumed checkpoint's), not in its time.
    private long _epochSamplesBefore;

    // The run's sample count when the current epoch began: each epoch's count is what it added, checked to be the data's size.
    private long _samplesAtEpochStart;

    // The ring generation: raised each time the job's workers change, so the new ring's key differs from the old's.
    private int _generation;

    // When the first sign of a lost worker arrived (a failed step, else the loss itself): what recovery time counts from.
    private long? _troubleSince;

    public CoordinatorActor(
        TrainingJob job,
        IReadOnlyList<IActorRef> workers,
        IReadOnlyList<IActorRef> trainShards,
        IActorRef testShard,
        IActorRef requester,
        ILogger log,
        CoordinatorTimeouts timeouts)
    {
        _job = job;
        _workers = [.. workers];
        _trainShards = trainShards;
        _testShard = testShard;
        _endpoints = new string?[workers.Count];
        _requester = requester;
        _log = log.ForContext("JobId", job.JobId);
        _timeouts = timeouts;
        _run = new RunDirectory(job.OutputDirectory);
        _threads = [.. new int[workers.Count]];
        _stepsPerEpoch = (job.Data.Train.Count + job.Settings.BatchSize - 1) / job.Settings.BatchSize;
        _totalSteps = (long)job.Settings.Epochs * _stepsPerEpoch;
        _checkpoints = new CheckpointStore(job.OutputDirectory);
        _checkpointPolicy = new CheckpointPolicy(job.Settings.CheckpointEvery);
        if (job.Resume is null && job.RestartedAfter is { } restart)
        {
            _membership.Add(restart with { Sequence = 0, Reason = $"{restart.Reason}; started again from the beginning (no checkpoint yet)", Workers = workers.Count });
        }

        Preparing();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private TrainingSettings Settings => _job.Settings;

    private int WorldSize => _workers.Count;

    public static Props Props(
        TrainingJob job,
        IReadOnlyList<IActorRef> workers,
        IReadOnlyList<IActorRef> trainShards,
        IActorRef testShard,
        IActorRef requester,
        ILogger log,
        CoordinatorTimeouts timeouts) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(job, workers, trainShards, testShard, requester, log, timeouts));

    protected override void PreStart()
    {
        _run.WriteSettings(Settings);
        _events = new TrainingEventLog(_run.Path, Math.Max(1, _stepsPerEpoch));
        Timers.StartPeriodicTimer("watchdog", Watchdog.Instance, _timeouts.WatchdogInterval);
        _log.Information("Job {JobId} starting: {Model} on {Dataset}, {TrainSamples} training samples, {Workers} workers x {Threads} threads, {Shards} shards",
            _job.JobId, Settings.Model, _job.Data.Source, _job.Data.Train.Count, WorldSize, Settings.Threads?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "their nodes' cores", _trainShards.Count);
        for (var rank = 0; rank < WorldSize; rank++)
        {
            _workers[rank].Tell(new PrepareWorker(
                _job.JobId, Settings, _job.Data.Train.SampleShape, _job.Data.Train.ClassCount, rank, WorldSize,
                _trainShards, _job.Data.Train.Count, _testShard));
        }
    }

    private void Common()
    {
        Receive<GetJobStatus>(_ => ReplyStatus());
        Receive<StepFailed>(StepFailedReceived);
        Receive<WorkerLost>(Lost);
        Receive<WorkerJoined>(Joined);
        Receive<CancelJob>(_ => CancelRequested());
        Receive<Watchdog>(_ => CheckProgress());
        Receive<CancelDrainExpired>(_ =>
        {
            _log.Warning("Job {JobId}: the steps in flight did not finish within {Seconds} s of the cancellation; it ends without a checkpoint", _job.JobId, _timeouts.CancelDrain.TotalSeconds);
            Cancel();
        });
    }

    private void ReplyStatus() => Sender.Tell(new JobStatus(_job.JobId, _state, _epoch, _ledger?.Completed ?? 0, _plan?.StepCount ?? 0));

    /// <summary>Takes a lost node's worker out of the job; false when none of the job's workers ran there.</summary>
    private bool RemoveWorker(string node)
    {
        var index = _workers.FindIndex(w => NodeOf(w) == node);
        if (index < 0)
        {
            return false;
        }

        _workers.RemoveAt(index);
        _threads.RemoveAt(index);
        return true;
    }

    private void CheckProgress()
    {
        // The watchdog's tick is also when TensorBoard gets what was written since the last one.
        _events?.Flush();
        var idle = DateTime.UtcNow - _lastProgress;
        if (idle > _timeouts.Progress)
        {
            Fail($"no progress for {idle.TotalSeconds:0} s in state '{_state}' (limit {_timeouts.Progress.TotalSeconds:0} s): a worker or shard is stuck or gone");
        }
    }

    private void StepFailedReceived(StepFailed failed)
    {
        _firstStepFailure = $"worker {failed.Rank} failed (step sequence {failed.Sequence}): {failed.Reason}";
        _troubleSince ??= Stopwatch.GetTimestamp();
        if (_timeouts.LostWorkerWait <= TimeSpan.Zero)
        {
            Fail(_firstStepFailure);
            return;
        }

        _log.Warning("Job {JobId}: worker {Worker} failed a step in state {State}; waiting up to {Seconds} s to learn whether a worker node was lost: {Reason}",
            _job.JobId, failed.Rank, _state, _timeouts.LostWorkerWait.TotalSeconds, failed.Reason);
        Timers.Cancel("watchdog");
        Timers.StartSingleTimer("lost-worker-wait", LostWorkerWaitExpired.Instance, _timeouts.LostWorkerWait);
        var failedIn = _state;
        Become(() =>
        {
            _state = failedIn;
            Receive<GetJobStatus>(_ => ReplyStatus());
            Receive<WorkerLost>(Lost);
            Receive<LostWorkerWaitExpired>(_ => Fail(_firstStepFailure!));
            Receive<CancelJob>(_ => Cancel());
            // The other workers' failures and late results only echo the first failure.
            ReceiveAny(_ => { });
        });
    }

    /// <summary>
    /// A lost worker: while training or evaluating, the survivors form a new ring and the job goes on (see
    /// <see cref="Regroup"/>). In the other states (preparing, connecting, restoring, writing a checkpoint, saving,
    /// admitting a joiner) the workers are between protocols, so the job is started again on the survivors instead
    /// (see <see cref="Interrupt"/>). A node that had registered to join but was not admitted yet is simply forgotten.
    /// </summary>
    private void Lost(WorkerLost lost)
    {
        if (_joining.RemoveAll(j => j.Node == lost.Node) > 0)
        {
            _log.Warning("Job {JobId}: worker node {Node} {Reason} before it joined; the job goes on without it", _job.JobId, lost.Node, lost.Reason);
            return;
        }

        var member = RemoveWorker(lost.Node);
        if (_state is "running" or "evaluating" or "regrouping" && member)
        {
            if (_workers.Count == 0)
            {
                // No replica holds the state any more: the newest checkpoint is where `--resume` continues.
                FailLost(lost);
                return;
            }

            if (_workers.Count < Settings.MinWorkers)
            {
                WaitForReplacements(lost);
                return;
            }

            Regroup(new MembershipEvent(lost.Node, "lost", lost.Reason));
            return;
        }

        // Fewer survivors than --min-workers here too: the job manager waits for replacements before the new start.
        if (_state is not ("running" or "evaluating" or "regrouping") && _workers.Count > 0)
        {
            Interrupt(lost);
            return;
        }

        FailLost(lost);
    }

    /// <summary>
    /// Ends this attempt and asks the job manager to start the job again on the surviving worker nodes from the newest
    /// checkpoint, as `--resume` would: what is redone is the steps since that checkpoint (all of them when there is
    /// none), and the result is the same within float rounding. A cancel asked for before the loss wins.
    /// </summary>
    private void Interrupt(WorkerLost lost)
    {
        if (_cancelRequested)
        {
            Cancel();
            return;
        }

        _log.Warning("Job {JobId}: worker node {Node} {Reason} while the job was {State}; it starts again on the {Workers} surviving workers from its newest checkpoint",
            _job.JobId, lost.Node, lost.Reason, _state, WorldSize);
        _requester.Tell(new JobInterrupted(_job.JobId, lost.Node, lost.Reason, _state));
        End("restarting", $"worker node {lost.Node} {lost.Reason} while the job was {_state}; the job starts again");
    }

    /// <summary>
    /// A worker node that registered while the job runs below its ceiling: it joins at the next step boundary (the step
    /// pipeline drains, as for a checkpoint), builds its replica, and gets the state of worker 0 over the new ring.
    /// </summary>
    private void Joined(WorkerJoined joined)
    {
        _log.Information("Job {JobId}: worker node {Node} joins at the next step boundary ({Workers} workers now)", _job.JobId, joined.Node, WorldSize);
        _joining.Add(joined);
        if (_state == "running")
        {
            IssueSteps();
        }
    }

    private void AdmitJoiners()
    {
        var joiners = _joining.ToList();
        _joining.Clear();
        var world = WorldSize + joiners.Count;
        for (var i = 0; i < joiners.Count; i++)
        {
            joiners[i].Worker.Tell(new PrepareWorker(
                _job.JobId, Settings, _job.Data.Train.SampleShape, _job.Data.Train.ClassCount, WorldSize + i, world,
                _trainShards, _job.Data.Train.Count, _testShard));
        }

        var prepared = new WorkerPrepared?[joiners.Count];
        var firstNewRank = WorldSize;
        Become(() =>
        {
            _state = "joining";
            Common();
            Receive<WorkerPrepared>(m =>
            {
                Progressed();
                prepared[m.Rank - firstNewRank] = m;
                if (prepared.Any(p => p is null))
                {
                    return;
                }

                _workers.AddRange(joiners.Select(j => j.Worker));
                _threads.AddRange(prepared.Select(p => p!.Threads));
                Regroup(new MembershipEvent(string.Join(",", joiners.Select(j => j.Node)), "joined", "registered while the job ran below --max-workers"));
            });
        });
    }

    /// <summary>
    /// Fewer survivors than --min-workers: training stops until enough worker nodes register and join (the job manager
    /// offers new workers to jobs below their ceiling), then they are admitted as at any step boundary and the ring is
    /// rebuilt; after <see cref="CoordinatorTimeouts.ReplacementWait"/> the job fails saying so.
    /// </summary>
    private void WaitForReplacements(WorkerLost lost)
    {
        _training.Stop();
        var ledger = _ledger!;
        _membership.Add(new MembershipChange(ledger.SequenceOf(ledger.Completed), lost.Node, "lost", lost.Reason, WorldSize, 0));
        Timers.Cancel("lost-worker-wait");
        Timers.StartSingleTimer("replacements", ReplacementWaitExpired.Instance, _timeouts.ReplacementWait);
        _log.Warning("Job {JobId}: worker node {Node} {Reason}; {Workers} workers left, below --min-workers {MinWorkers}: waiting up to {Seconds} s for worker nodes to join",
            _job.JobId, lost.Node, lost.Reason, WorldSize, Settings.MinWorkers, _timeouts.ReplacementWait.TotalSeconds);

        void AdmitIfEnough()
        {
            if (WorldSize + _joining.Count >= Settings.MinWorkers)
            {
                Timers.Cancel("replacements");
                AdmitJoiners();
            }
        }

        Become(() =>
        {
            _state = "waiting for workers";
            Receive<GetJobStatus>(_ => ReplyStatus());
            Receive<CancelJob>(_ => Cancel());
            Receive<WorkerJoined>(joined =>
            {
                _joining.Add(joined);
                AdmitIfEnough();
            });
            Receive<WorkerLost>(more =>
            {
                if (RemoveWorker(more.Node) && _workers.Count == 0)
                {
                    FailLost(more);
                }
            });
            Receive<ReplacementWaitExpired>(_ => Fail(NoReplacement.Message($"worker node {lost.Node} {lost.Reason}", WorldSize, Settings.MinWorkers, _timeouts.ReplacementWait)));
            // The survivors' failed steps and late results of the broken ring.
            ReceiveAny(_ => { });
        });
        AdmitIfEnough();
    }

    /// <summary>A change of the job's workers, as summary.json records it.</summary>
    private sealed record MembershipEvent(string Node, string Change, string Reason);

    private static string NodeOf(IActorRef worker) => worker.Path.Address.ToString();

    private void FailLost(WorkerLost lost) => Fail(
        $"worker {lost.Rank} at {lost.Node} {lost.Reason} while the job was {_state}. Synchronous training needs every replica in every step, " +
        "so the job stops here rather than wait for it; the run directory keeps the metrics of the finished epochs." +
        (_firstStepFailure is null ? "" : $" (first error reported: {_firstStepFailure})"));

    /// <summary>
    /// The survivors of a lost worker form a new ring (next generation): each leaves the old ring, reports the last step
    /// its replica completed, and the replica that got furthest gives its state to all (see <see cref="RegroupDecision"/>).
    /// The current epoch's remaining global batches are then split over the survivors: the epoch plan does not depend on
    /// the worker count, so every sample is still used exactly once and the parameters are those of the job that lost
    /// no worker (within float rounding of the smaller ring's sums; exactly with --deterministic).
    /// </summary>
    private void Regroup(MembershipEvent change)
    {
        var detected = _troubleSince ?? Stopwatch.GetTimestamp();
        var resumeIn = _ledger!.AllCompleted ? "evaluating" : "running";
        _training.Stop();
        _generation++;
        var generation = _generation;
        _endpoints = new string?[WorldSize];
        _acknowledged.Clear();
        Timers.Cancel("lost-worker-wait");
        Timers.StartPeriodicTimer("watchdog", Watchdog.Instance, _timeouts.WatchdogInterval);
        _log.Warning("Job {JobId}: worker node {Node} {Change} ({Reason}) at step {Step} of epoch {Epoch}; {Workers} workers go on in ring generation {Generation}",
            _job.JobId, change.Node, change.Change, change.Reason, _ledger.Completed, _epoch, WorldSize, generation);
        for (var rank = 0; rank < WorldSize; rank++)
        {
            _workers[rank].Tell(new RegroupWorker(_job.JobId, generation, rank, WorldSize));
        }

        var reports = new (long LastCompleted, string Checksum)?[WorldSize];
        Become(() =>
        {
            _state = "regrouping";
            Receive<WorkerJoined>(_joining.Add);
            Receive<GetJobStatus>(_ => ReplyStatus());
            Receive<WorkerLost>(Lost);
            Receive<CancelJob>(_ => Cancel());
            Receive<Watchdog>(_ => CheckProgress());
            // A survivor's step that completed before it left the old ring: its loss counts; whether the step counts
            // is decided by the survivors' reports.
            Receive<StepCompleted>(m => m.Sequence >= _ledger.FirstSequence && m.Sequence < _ledger.SequenceOf(_ledger.Issued), m =>
            {
                if (_ledger.Report(m.Sequence, m.Rank, m.LossSum, m.Samples, null))
                {
                    _samplesDone += _plan!.GlobalBatch(m.Step).Length;
                }
            });
            Receive<WorkerRegrouped>(m => m.Generation == generation, m =>
            {
                Progressed();
                reports[m.Rank] = (m.LastCompletedSequence, m.Checksum);
                _endpoints[m.Rank] = m.ExchangeEndpoint;
                if (reports.Any(r => r is null))
                {
                    return;
                }

                var outcome = RegroupDecision.Decide([.. reports.Select(r => r!.Value)]);
                if (outcome.Drift is { } drift)
                {
                    Fail(drift);
                    return;
                }

                var endpoints = _endpoints.Select(e => e ?? string.Empty).ToArray();
                foreach (var worker in _workers)
                {
                    worker.Tell(new ConnectExchange(_job.JobId, endpoints));
                }

                Become(() =>
                {
                    _state = "regrouping";
                    Common();
                    Receive<ExchangeConnected>(c => Acknowledge(c.Rank, () =>
                    {
                        foreach (var worker in _workers)
                        {
                            worker.Tell(new BroadcastState(_job.JobId, outcome.SourceRank, outcome.NextSequence));
                        }

                        _checksum = string.Empty;
                        Become(() =>
                        {
                            _state = "regrouping";
                            Common();
                            Receive<ParametersLoaded>(p =>
                            {
                                _checksum = _checksum.Length == 0 ? p.Checksum : _checksum;
                                if (p.Checksum != _checksum)
                                {
                                    Fail($"worker {p.Rank} loaded checksum {p.Checksum} from the new ring, expected {_checksum}");
                                    return;
                                }

                                Acknowledge(p.Rank, () => ContinueAfterRegroup(change, outcome.NextSequence, detected, resumeIn));
                            });
                        });
                    }));
                });
            });
            ReceiveAny(_ => { });
        });
    }

    /// <summary>The new ring holds one state; the epoch goes on from <paramref name="nextSequence"/> with the new worker count.</summary>
    private void ContinueAfterRegroup(MembershipEvent change, long nextSequence, long detected, string resumeIn)
    {
        var old = _ledger!;
        var completed = (int)(nextSequence - old.FirstSequence);
        // Steps the furthest replica completed that not every worker reported (the lost one never will) are done.
        for (var step = old.Completed; step < completed; step++)
        {
            _samplesDone += _plan!.GlobalBatch(step).Length;
        }

        _plan = new EpochPlan(Settings.Seed, _epoch, _job.Data.Train.Count, Settings.BatchSize, WorldSize, Settings.Deterministic ? Settings.MicroBatchSize : null);
        _ledger = new StepLedger(old.FirstSequence, _plan.StepCount, WorldSize, StepWindow);
        _ledger.ResumeAt(completed, old.LossSum, old.Samples);
        var seconds = Stopwatch.GetElapsedTime(detected).TotalSeconds;
        _troubleSince = null;
        _firstStepFailure = null;
        _membership.Add(new MembershipChange(nextSequence, change.Node, change.Change, change.Reason, WorldSize, seconds));
        _log.Warning("Job {JobId} goes on with {Workers} workers from step {Step} (epoch {Epoch}, step {StepInEpoch}) after regrouping in {Seconds:F1} s",
            _job.JobId, WorldSize, nextSequence, _epoch, completed, seconds);
        if (resumeIn == "evaluating" || _ledger.AllCompleted)
        {
            StartEvaluation();
            return;
        }

        _training.Start();
        Become(Running);
        IssueSteps();
    }

    private void Preparing()
    {
        _state = "preparing";
        Common();
        Receive<WorkerPrepared>(m =>
        {
            _endpoints[m.Rank] = m.ExchangeEndpoint;
            _threads[m.Rank] = m.Threads;
            Acknowledge(m.Rank, () =>
            {
                var endpoints = _endpoints.Select(e => e ?? string.Empty).ToArray();
                foreach (var worker in _workers)
                {
                    worker.Tell(new ConnectExchange(_job.JobId, endpoints));
                }

                Become(Connecting);
            });
        });
    }

    private void Connecting()
    {
        _state = "connecting";
        Common();
        Receive<ExchangeConnected>(m => Acknowledge(m.Rank, () =>
        {
            if (_job.Resume is { } resume)
            {
                Restore(resume);
                return;
            }

            _log.Information("Exchange of {Workers} workers connected; broadcasting the initial parameters of worker {Worker}", WorldSize, 0);
            foreach (var worker in _workers)
            {
                worker.Tell(new BroadcastInitialParameters(_job.JobId));
            }

            Become(Broadcasting);
        }));
    }

    /// <summary>
    /// A resumed job: the checkpoint's state goes to worker 0 over the control plane (the coordinator alone reads the
    /// run directory), then from worker 0 to every replica over the exchange, exactly.
    /// </summary>
    private void Restore(Checkpoint resume)
    {
        var position = resume.Position;
        _log.Information("Job {JobId} resuming from its checkpoint at step {Step} (epoch {Epoch}, step {StepInEpoch}) with {Workers} workers (it had {CheckpointWorkers})",
            _job.JobId, position.Sequence, position.Epoch, position.Step, WorldSize, position.Workers);
        _metrics.AddRange(position.Metrics);
        _membership.AddRange(position.Membership);
        _epochSampleCounts.AddRange(position.EpochSampleCounts);
        _membership.Add(_job.RestartedAfter is { } restart
            ? restart with { Sequence = position.Sequence, Reason = $"{restart.Reason}; started again from the checkpoint at step {position.Sequence}", Workers = WorldSize }
            : new MembershipChange(position.Sequence, "all", "resumed", $"resumed from the checkpoint at step {position.Sequence} with {WorldSize} workers", WorldSize, 0));
        _samplesDone = position.SamplesDone;
        _trainSecondsBefore = position.TrainSeconds;
        var chunks = resume.State.Chunk(StateChunk.MaxBytes).ToArray();
        for (var i = 0; i < chunks.Length; i++)
        {
            _workers[0].Tell(new RestoreStateChunk(_job.JobId, i, chunks.Length, chunks[i]));
        }

        Become(() =>
        {
            _state = "restoring";
            Common();
            Receive<StateRestored>(_ =>
            {
                Progressed();
                foreach (var worker in _workers)
                {
                    worker.Tell(new BroadcastState(_job.JobId, 0, position.Sequence));
                }

                Become(Broadcasting);
            });
        });
    }

    private void Broadcasting()
    {
        _state = "broadcasting";
        Common();
        Receive<ParametersLoaded>(m =>
        {
            _checksum = _checksum.Length == 0 ? m.Checksum : _checksum;
            if (m.Checksum != _checksum)
            {
                Fail($"worker {m.Rank} loaded parameters with checksum {m.Checksum}, expected {_checksum}");
                return;
            }

            Acknowledge(m.Rank, () =>
            {
                if (_job.Resume is not { Position: var position })
                {
                    StartEpoch(1);
                    return;
                }

                if (_checksum != position.ParameterChecksum)
                {
                    Fail($"the replicas loaded parameters with checksum {_checksum}, but the checkpoint at step {position.Sequence} recorded {position.ParameterChecksum}");
                    return;
                }

                _nextSequence = position.Sequence - position.Step;
                if (position.Epoch > Settings.Epochs)
                {
                    // Training had finished; only the model was still to be saved.
                    _epoch = Settings.Epochs;
                    _workers[0].Tell(new SaveModel(_job.JobId));
                    Become(Saving);
                    return;
                }

                StartEpoch(position.Epoch, position.Step, position.EpochLossSum, position.EpochSamples);
            });
        });
    }

    private void StartEpoch(int epoch, int firstStep = 0, double lossSum = 0, long samples = 0)
    {
        _epoch = epoch;
        _plan = new EpochPlan(Settings.Seed, epoch, _job.Data.Train.Count, Settings.BatchSize, WorldSize, Settings.Deterministic ? Settings.MicroBatchSize : null);
        _ledger = new StepLedger(_nextSequence, _plan.StepCount, WorldSize, StepWindow);
        _ledger.ResumeAt(firstStep, lossSum, samples);
        _epochSamplesBefore = samples;
        _samplesAtEpochStart = _samplesDone - Math.Min((long)firstStep * Settings.BatchSize, _job.Data.Train.Count);
        _nextSequence += _plan.StepCount;
        _epochSeconds = _training.Elapsed.TotalSeconds;
        _events?.EpochStarted();
        _training.Start();
        Become(Running);
        IssueSteps();
    }

    private void Running()
    {
        _state = "running";
        Common();
        Receive<StepCompleted>(m =>
        {
            var ledger = _ledger!;
            if (!ledger.Report(m.Sequence, m.Rank, m.LossSum, m.Samples, m.Checksum))
            {
                return;
            }

            Progressed();
            if (ledger.ChecksumMismatch(m.Sequence) is { } drift)
            {
                Fail(drift);
                return;
            }

            if (m.Checksum is not null)
            {
                _checksum = m.Checksum;
            }

            var globalBatch = _plan!.GlobalBatch(m.Step).Length;
            _samplesDone += globalBatch;
            if (m.Step % 50 == 0 || ledger.AllCompleted)
            {
                _log.Information("Step {Step} of epoch {Epoch}: mean loss {Loss:F4} over {Samples} samples so far, {Workers} workers",
                    m.Step, m.Epoch, ledger.MeanLoss, ledger.Samples, WorldSize);
            }

            _events?.StepCompleted(m.Sequence + 1, m.Step + 1, ledger.AllCompleted, ledger.LossSum, ledger.Samples,
                LearningRateSchedule.At(Settings, m.Sequence, _totalSteps));
            _requester.Tell(new JobProgressed(_job.JobId, _epoch, Settings.Epochs, ledger.Completed, _plan.StepCount, _samplesDone,
                (long)_job.Data.Train.Count * Settings.Epochs, ledger.MeanLoss));
            if (ledger.AllCompleted)
            {
                _training.Stop();
                StartEvaluation();
                return;
            }

            _checkpointDue |= _checkpointPolicy.DueWithinEpoch(m.Sequence + 1, _training.Elapsed - _lastCheckpointAt);
            IssueSteps();
        });
    }

    private void IssueSteps()
    {
        var ledger = _ledger!;
        if (_checkpointDue || _cancelRequested || _joining.Count > 0)
        {
            // No new step until the ones in flight are done: then the replicas' state is that of a step boundary.
            if (ledger.Drained && _joining.Count > 0 && !_cancelRequested)
            {
                _training.Stop();
                AdmitJoiners();
                return;
            }

            if (ledger.Drained)
            {
                _training.Stop();
                WriteCheckpoint(() =>
                {
                    if (_cancelRequested)
                    {
                        Cancel();
                        return;
                    }

                    _training.Start();
                    Become(Running);
                    IssueSteps();
                });
            }

            return;
        }

        while (ledger.NextToIssue() is { } step)
        {
            ledger.MarkIssued(step);
            var sequence = ledger.SequenceOf(step);
            var global = _plan!.GlobalBatch(step).Length;
            var lastOfEpoch = step == _plan.StepCount - 1;
            var checksum = lastOfEpoch || (sequence + 1) % Settings.ChecksumEvery == 0;
            var rate = LearningRateSchedule.At(Settings, sequence, _totalSteps);
            for (var rank = 0; rank < WorldSize; rank++)
            {
                _workers[rank].Tell(new StartStep(_job.JobId, sequence, _epoch, step, _plan.Assignment(step, rank), global, rate, checksum));
            }
        }
    }

    private void StartEvaluation()
    {
        _evalCorrect = 0;
        _evalLoss = 0;
        _evalSamples = 0;
        for (var rank = 0; rank < WorldSize; rank++)
        {
            _workers[rank].Tell(new EvaluateChunks(_job.JobId, _epoch, EvaluationPlan.ChunksFor(_job.Data.Test.Count, WorldSize, rank)));
        }

        Become(Evaluating);
    }

    private void Evaluating()
    {
        _state = "evaluating";
        Common();
        Receive<EvaluationCompleted>(m =>
        {
            _evalCorrect += m.Correct;
            _evalLoss += m.LossSum;
            _evalSamples += m.Samples;
            Acknowledge(m.Rank, FinishEpoch);
        });
    }

    private void FinishEpoch()
    {
        var ledger = _ledger!;
        _lastLoss = ledger.MeanLoss;
        var seconds = _training.Elapsed.TotalSeconds - _epochSeconds;
        var accuracy = _evalSamples == 0 ? double.NaN : (double)_evalCorrect / _evalSamples;
        var testLoss = _evalSamples == 0 ? double.NaN : _evalLoss / _evalSamples;
        if (Divergence.IsDiverged(_lastLoss, testLoss))
        {
            // The steps' own checks passed, but the weights after the last update no longer give numbers.
            Fail(Divergence.DescribeEpoch(_epoch, _lastLoss, testLoss, Settings.LearningRate));
            return;
        }

        _epochSampleCounts.Add(_samplesDone - _samplesAtEpochStart);
        var row = new EpochMetrics(_epoch, _lastLoss, testLoss, accuracy, seconds > 0 ? (ledger.Samples - _epochSamplesBefore) / seconds : 0);
        _metrics.Add(row);
        _run.WriteMetrics(_metrics);
        _run.WritePlots(_metrics, Settings.Model.ToString().ToUpperInvariant());
        _events?.EpochFinished(_nextSequence, row);
        _log.Information("Epoch {Epoch} of {Epochs}: train loss {TrainLoss:F4}, test loss {TestLoss:F4}, test accuracy {TestAccuracy:P2}, {SamplesPerSecond:F0} samples/s",
            _epoch, Settings.Epochs, row.TrainLoss, row.TestLoss, row.TestAccuracy, row.SamplesPerSecond);
        _requester.Tell(new EpochFinished(_job.JobId, row));
        WriteCheckpoint(() =>
        {
            if (_cancelRequested)
            {
                Cancel();
                return;
            }

            if (_epoch < Settings.Epochs)
            {
                StartEpoch(_epoch + 1);
                return;
            }

            _workers[0].Tell(new SaveModel(_job.JobId));
            Become(Saving);
        });
    }

    /// <summary>
    /// Captures worker 0's whole state (every replica holds the same) at this step boundary and writes it with the
    /// job's position into the run directory, then continues with <paramref name="then"/>.
    /// </summary>
    private void WriteCheckpoint(Action then)
    {
        var ledger = _ledger!;
        var atEpochEnd = ledger.AllCompleted;
        var sequence = atEpochEnd ? _nextSequence : ledger.SequenceOf(ledger.Completed);
        var started = Stopwatch.GetTimestamp();
        _checkpointDue = false;
        _workers[0].Tell(new CaptureState(_job.JobId, sequence));
        var previous = _state;
        Become(() =>
        {
            _state = "checkpointing";
            // Before Common's: a cancel waits for this checkpoint, then ends the job.
            Receive<CancelJob>(_ => _cancelRequested = true);
            Common();
            Receive<StateChunk>(m => m.Sequence == sequence, m =>
            {
                Progressed();
                if (_stateChunks.Add(m.Index, m.Count, m.Bytes) is not { } state)
                {
                    return;
                }

                var position = new CheckpointPosition
                {
                    Settings = Settings,
                    Sequence = sequence,
                    Epoch = atEpochEnd ? _epoch + 1 : _epoch,
                    Step = atEpochEnd ? 0 : ledger.Completed,
                    EpochLossSum = atEpochEnd ? 0 : ledger.LossSum,
                    EpochSamples = atEpochEnd ? 0 : ledger.Samples,
                    SamplesDone = _samplesDone,
                    TrainSeconds = _trainSecondsBefore + _training.Elapsed.TotalSeconds,
                    Metrics = [.. _metrics],
                    ParameterChecksum = m.Checksum,
                    Workers = WorldSize,
                    Membership = [.. _membership],
                    EpochSampleCounts = [.. _epochSampleCounts],
                    CreatedUtc = DateTimeOffset.UtcNow,
                };
                try
                {
                    var path = _checkpoints.Write(new Checkpoint(position, state));
                    _lastCheckpointAt = _training.Elapsed;
                    _log.Information("Job {JobId} wrote checkpoint {Path} at step {Step} ({Bytes} bytes in {Milliseconds:F0} ms)",
                        _job.JobId, path, sequence, state.Length, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (IOException error)
                {
                    Fail($"could not write the checkpoint at step {sequence} into {_checkpoints.Directory}: {error.Message}");
                    return;
                }

                _state = previous;
                then();
            });
        });
    }

    private void Saving()
    {
        _state = "saving";
        Common();
        Receive<ModelChunk>(m =>
        {
            Progressed();
            if (_modelChunks.Add(m.Index, m.Count, m.Bytes) is not { } model)
            {
                return;
            }

            AtomicFile.WriteAllBytes(_run.File(RunDirectory.ModelFile), model);
            var last = _metrics[^1];
            var trainSeconds = _trainSecondsBefore + _training.Elapsed.TotalSeconds;
            var summary = new RunSummary
            {
                RunId = _job.JobId,
                Model = Settings.Model.ToString().ToLowerInvariant(),
                Dataset = _job.Data.Source,
                TrainSamples = _job.Data.Train.Count,
                TestSamples = _job.Data.Test.Count,
                Workers = WorldSize,
                Shards = _trainShards.Count,
                // Each worker decides on its own node; they differ only on nodes of different sizes, and then
                // the smallest is what bounds a synchronous step.
                ThreadsPerWorker = _threads.Min(),
                Epochs = Settings.Epochs,
                BatchSize = Settings.BatchSize,
                Steps = _nextSequence,
                Samples = _samplesDone,
                WallSeconds = _wall.Elapsed.TotalSeconds,
                TrainSeconds = trainSeconds,
                SamplesPerSecond = trainSeconds > 0 ? _samplesDone / trainSeconds : 0,
                TestAccuracy = last.TestAccuracy,
                TestLoss = last.TestLoss,
                FinalLoss = last.TrainLoss,
                Seed = Settings.Seed,
                ParameterChecksum = _checksum,
                Settings = Settings,
                Membership = [.. _membership],
                SamplesPerEpoch = [.. _epochSampleCounts],
            };
            _run.WriteSummary(summary);
            _log.Information("Job {JobId} finished: test accuracy {TestAccuracy:P2} in {WallSeconds:F1} s ({SamplesPerSecond:F0} samples/s)",
                _job.JobId, summary.TestAccuracy, summary.WallSeconds, summary.SamplesPerSecond);
            _state = "finished";
            _requester.Tell(new JobFinished(_job.JobId, summary));
            End("finished", "job finished");
        });
    }

    private void Acknowledge(int rank, Action whenAll)
    {
        Progressed();
        _acknowledged.Add(rank);
        if (_acknowledged.Count == WorldSize)
        {
            _acknowledged.Clear();
            whenAll();
        }
    }

    private void Progressed() => _lastProgress = DateTime.UtcNow;

    private void Fail(string reason)
    {
        _log.Error("Job {JobId} failed in state {State}: {Reason}", _job.JobId, _state, reason);
        _requester.Tell(new JobFailed(_job.JobId, reason));
        End("failed", reason);
    }

    /// <summary>
    /// While training, the steps in flight finish and a checkpoint is written first, so a cancelled run can be resumed
    /// where it stopped (bounded: the caller waits a few seconds for the confirmation, then stops the actors anyway).
    /// </summary>
    private void CancelRequested()
    {
        if (_state is "running" or "evaluating" && !_cancelRequested)
        {
            _log.Warning("Job {JobId} cancelled at step {Step} of epoch {Epoch}: finishing the steps in flight and writing a checkpoint", _job.JobId, _ledger?.Completed ?? 0, _epoch);
            _cancelRequested = true;
            Timers.StartSingleTimer("cancel-drain", CancelDrainExpired.Instance, _timeouts.CancelDrain);
            if (_state == "running")
            {
                IssueSteps();
            }

            return;
        }

        Cancel();
    }

    private void Cancel()
    {
        _log.Warning("Job {JobId} cancelled in state {State}", _job.JobId, _state);
        _requester.Tell(new JobCancelled(_job.JobId));
        End("cancelled", "job cancelled");
    }

    private void End(string state, string reason)
    {
        Timers.CancelAll();
        _events?.Dispose();
        foreach (var worker in _workers)
        {
            worker.Tell(new ReleaseJob(_job.JobId, reason));
        }

        Become(() =>
        {
            _state = state;
            Receive<GetJobStatus>(_ => ReplyStatus());
            ReceiveAny(_ => { });
        });
    }

    protected override void PostStop()
    {
        _events?.Dispose();
        base.PostStop();
    }

    private sealed class Watchdog : INoSerializationVerificationNeeded
    {
        public static readonly Watchdog Instance = new();
    }

    private sealed class LostWorkerWaitExpired : INoSerializationVerificationNeeded
    {
        public static readonly LostWorkerWaitExpired Instance = new();
    }

    private sealed class CancelDrainExpired : INoSerializationVerificationNeeded
    {
        public static readonly CancelDrainExpired Instance = new();
    }

    private sealed class ReplacementWaitExpired : INoSerializationVerificationNeeded
    {
        public static readonly ReplacementWaitExpired Instance = new();
    }
}
