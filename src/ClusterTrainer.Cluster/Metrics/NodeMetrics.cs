using ClusterTrainer.Api.V1;
using Prometheus;

namespace ClusterTrainer.Cluster.Metrics;

/// <summary>
/// Every Prometheus instrument a node exports, in a registry of the node's own (several nodes may share a process in
/// tests). Rates (steps/s, samples/s, bytes/s, env steps/s, updates/s) are `rate()` of the counters; per-job series
/// carry a `job_id` label (not `job`, which Prometheus reserves for the scrape job).
/// </summary>
public sealed class NodeMetrics
{
    private const string JobLabel = "job_id";

    // A step's phases take from a millisecond (a small MLP's exchange) to seconds (a CNN step on a busy node).
    private static readonly double[] StepBuckets = Histogram.ExponentialBuckets(0.0005, 2, 16);

    private readonly Counter _workerSteps;
    private readonly Counter _workerSamples;
    private readonly Histogram _stepPhase;
    private readonly Counter _exchangeBytes;
    private readonly Gauge _jobs;
    private readonly Gauge _registeredWorkers;
    private readonly Gauge _members;
    private readonly Counter _jobSteps;
    private readonly Counter _jobSamples;
    private readonly Gauge _jobLoss;
    private readonly Gauge _epoch;
    private readonly Gauge _epochTrainLoss;
    private readonly Gauge _epochTestLoss;
    private readonly Gauge _epochTestAccuracy;
    private readonly Gauge _epochSamplesPerSecond;
    private readonly Counter _dqnEnvSteps;
    private readonly Counter _dqnUpdates;
    private readonly Gauge _dqnTrainReturn;
    private readonly Gauge _dqnEvalReturn;

    public NodeMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);

        _workerSteps = factory.CreateCounter("clustertrainer_worker_steps_total", "Training steps completed by this node's worker");
        _workerSamples = factory.CreateCounter("clustertrainer_worker_samples_total", "Training samples this node's worker computed gradients for");
        _stepPhase = factory.CreateHistogram("clustertrainer_worker_step_phase_seconds",
            "Time of a training step by phase: compute (forward, backward, optimizer), exchange (gradient all-reduce), data_wait (step assigned, its samples not yet arrived)",
            ["phase"], new HistogramConfiguration { Buckets = StepBuckets });
        _exchangeBytes = factory.CreateCounter("clustertrainer_exchange_bytes_total", "Gradient bytes this node's worker sent to or received from its ring neighbours (0 in one process)", ["direction"]);

        _jobs = factory.CreateGauge("clustertrainer_jobs", "Jobs known to the job API by state", ["state"]);
        _registeredWorkers = factory.CreateGauge("clustertrainer_registered_workers", "Worker nodes registered with the job manager");
        _members = factory.CreateGauge("clustertrainer_cluster_members", "Cluster members by status, as this node sees them", ["status"]);

        Counter JobCounter(string name, string help) => factory.CreateCounter(name, help, [JobLabel]);
        Gauge JobGauge(string name, string help) => factory.CreateGauge(name, help, [JobLabel]);
        _jobSteps = JobCounter("clustertrainer_job_steps_total", "Optimizer steps a supervised job has completed");
        _jobSamples = JobCounter("clustertrainer_job_samples_total", "Training samples a supervised job has processed");
        _jobLoss = JobGauge("clustertrainer_job_train_loss", "Mean training loss of the current epoch so far");
        _epoch = JobGauge("clustertrainer_epoch", "Last finished epoch");
        _epochTrainLoss = JobGauge("clustertrainer_epoch_train_loss", "Training loss of the last finished epoch");
        _epochTestLoss = JobGauge("clustertrainer_epoch_test_loss", "Test loss after the last finished epoch");
        _epochTestAccuracy = JobGauge("clustertrainer_epoch_test_accuracy", "Test accuracy (0-1) after the last finished epoch");
        _epochSamplesPerSecond = JobGauge("clustertrainer_epoch_samples_per_second", "Training samples/s of the last finished epoch");
        _dqnEnvSteps = JobCounter("clustertrainer_dqn_env_steps_total", "Environment steps a DQN job's collectors have taken");
        _dqnUpdates = JobCounter("clustertrainer_dqn_updates_total", "Gradient updates a DQN job's learner has made");
        _dqnTrainReturn = JobGauge("clustertrainer_dqn_train_mean_return", "Mean return of a DQN job's last 100 training episodes");
        _dqnEvalReturn = JobGauge("clustertrainer_dqn_eval_mean_return", "Greedy mean return of a DQN job's latest evaluation (the kept weights' once it finished)");
    }

    public CollectorRegistry Registry { get; }

    /// <summary>A worker finished a step (recorded on the node that ran it).</summary>
    public void WorkerStep(int samples, TimeSpan compute, TimeSpan exchange, TimeSpan dataWait, long bytesSent, long bytesReceived)
    {
        _workerSteps.Inc();
        _workerSamples.Inc(samples);
        _stepPhase.WithLabels("compute").Observe(compute.TotalSeconds);
        _stepPhase.WithLabels("exchange").Observe(exchange.TotalSeconds);
        _stepPhase.WithLabels("data_wait").Observe(dataWait.TotalSeconds);
        _exchangeBytes.WithLabels("sent").Inc(bytesSent);
        _exchangeBytes.WithLabels("received").Inc(bytesReceived);
    }

    /// <summary>An event of a supervised job, as the job API publishes it to watchers.</summary>
    public void JobEvent(JobEvent @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var id = @event.JobId;
        switch (@event.EventCase)
        {
            // A DQN job's progress also comes as Progress (without epochs); DqnProgressed records it fully.
            case ClusterTrainer.Api.V1.JobEvent.EventOneofCase.Progress when @event.Progress.Epochs > 0:
                var p = @event.Progress;
                _jobSteps.WithLabels(id).IncTo(((long)(p.Epoch - 1) * p.StepsPerEpoch) + p.Step);
                _jobSamples.WithLabels(id).IncTo(p.SamplesDone);
                _jobLoss.WithLabels(id).Set(p.Loss);
                break;
            case ClusterTrainer.Api.V1.JobEvent.EventOneofCase.Epoch:
                var e = @event.Epoch;
                _epoch.WithLabels(id).Set(e.Epoch);
                _epochTrainLoss.WithLabels(id).Set(e.TrainLoss);
                _epochTestLoss.WithLabels(id).Set(e.TestLoss);
                _epochTestAccuracy.WithLabels(id).Set(e.TestAccuracy);
                _epochSamplesPerSecond.WithLabels(id).Set(e.SamplesPerSecond);
                break;
            case ClusterTrainer.Api.V1.JobEvent.EventOneofCase.Ended when @event.Ended.State == JobState.Finished && @event.Ended.Model.StartsWith("dqn", StringComparison.Ordinal):
                _dqnEvalReturn.WithLabels(id).Set(@event.Ended.EvalMeanReturn);
                break;
        }
    }

    /// <summary>A DQN job's periodic progress (environment steps, learner updates, returns).</summary>
    public void DqnProgress(string jobId, long envSteps, long updates, double trainMeanReturn, double? lastEvalMeanReturn)
    {
        _dqnEnvSteps.WithLabels(jobId).IncTo(envSteps);
        _dqnUpdates.WithLabels(jobId).IncTo(updates);
        _dqnTrainReturn.WithLabels(jobId).Set(trainMeanReturn);
        if (lastEvalMeanReturn is { } eval)
        {
            _dqnEvalReturn.WithLabels(jobId).Set(eval);
        }
    }

    /// <summary>Counts read when Prometheus scrapes: jobs by state, registered workers, members by status.</summary>
    public void Counts(IReadOnlyDictionary<string, int> jobsByState, int? registeredWorkers, IReadOnlyDictionary<string, int> membersByStatus)
    {
        ArgumentNullException.ThrowIfNull(jobsByState);
        ArgumentNullException.ThrowIfNull(membersByStatus);
        foreach (var (state, count) in jobsByState)
        {
            _jobs.WithLabels(state).Set(count);
        }

        if (registeredWorkers is { } workers)
        {
            _registeredWorkers.Set(workers);
        }

        foreach (var (status, count) in membersByStatus)
        {
            _members.WithLabels(status).Set(count);
        }
    }
}
