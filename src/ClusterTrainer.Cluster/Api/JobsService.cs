using Akka.Actor;
using Akka.Hosting;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cluster.Api.Store;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Checkpoints;
using ClusterTrainer.Core.Outputs;
using Grpc.Core;

namespace ClusterTrainer.Cluster.Api;

/// <summary>
/// The gRPC job API on the coordinator node. Requests are validated here (InvalidArgument names the
/// field); the work is done by the job manager singleton, whose events the registry records.
/// </summary>
public sealed class JobsService(IRequiredActor<JobManagerActor> jobManager, IRequiredActor<ApiJobListenerActor> listener, JobRegistry registry, DqnJobRunner dqn, JobControl control, ApiOptions options, JobStore store)
    : Jobs.JobsBase
{
    public override async Task<JobInfo> SubmitJob(SubmitJobRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Name.Length > 200)
        {
            throw TrainingSpecMapper.Invalid("name", "must be at most 200 characters");
        }

        if ((request.Training is null) == (request.Dqn is null))
        {
            throw TrainingSpecMapper.Invalid("training", "give exactly one of training (supervised) and dqn");
        }

        if (request.Dqn is not null)
        {
            var dqnSettings = DqnJobRunner.ToSettings(request.Dqn);
            var dqnId = $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-dqn-{dqnSettings.Environment}-{Guid.NewGuid().ToString("N")[..6]}";
            await StoreReadyAsync(context.CancellationToken).ConfigureAwait(false);
            JobInfo dqnInfo;
            try
            {
                dqnInfo = await dqn.CreateAsync(dqnId, request.Name, dqnSettings, Path.Combine(options.RunsDirectory, dqnId), context.CancellationToken).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, $"the job manager did not answer within {JobControl.AskTimeout.TotalSeconds:0} s"));
            }

            await RecordAsync(dqnInfo, StoredJob.Dqn, context.CancellationToken).ConfigureAwait(false);
            dqn.Run(dqnId, dqnSettings, dqnInfo.RunDirectory, dqnInfo.Workers);
            return dqnInfo;
        }

        var settings = TrainingSpecMapper.ToSettings(request.Training);
        var jobId = NewTrainingJobId(settings);
        var runDirectory = Path.Combine(options.RunsDirectory, jobId);
        await StoreReadyAsync(context.CancellationToken).ConfigureAwait(false);
        var info = registry.Create(jobId, request.Name, settings, runDirectory);
        // Durable before it is queued: a job the API confirmed survives a coordinator restart.
        await RecordAsync(info, StoredJob.Training, context.CancellationToken).ConfigureAwait(false);
        var manager = await jobManager.GetAsync(context.CancellationToken).ConfigureAwait(false);
        var events = await listener.GetAsync(context.CancellationToken).ConfigureAwait(false);
        manager.Tell(new SubmitTrainingJob(jobId, settings, runDirectory), events);
        return info;
    }

    public override async Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context)
    {
        await StoreReadyAsync(context.CancellationToken).ConfigureAwait(false);
        var jobs = registry.List();
        ClusterWorkers workers;
        try
        {
            workers = await control.WorkersAsync(context.CancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, $"the job manager did not answer within {JobControl.AskTimeout.TotalSeconds:0} s"));
        }

        var response = new ListJobsResponse();
        foreach (var job in jobs)
        {
            job.QueuePosition = job.State == JobState.Queued ? workers.QueuePosition(job.JobId) : 0;
            response.Jobs.Add(job);
        }

        return response;
    }

    public override Task<JobInfo> GetJob(GetJobRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(Find(request.JobId));
    }

    public override async Task WatchJob(WatchJobRequest request, IServerStreamWriter<JobEvent> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        Find(request.JobId);
        var events = registry.Watch(request.JobId)!;
        await foreach (var @event in events.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
        {
            await responseStream.WriteAsync(@event, context.CancellationToken).ConfigureAwait(false);
        }
    }

    public override async Task<JobInfo> CancelJob(CancelJobRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var info = Find(request.JobId);
        await control.CancelAsync(request.JobId, context.CancellationToken).ConfigureAwait(false);
        return info;
    }

    /// <summary>
    /// A new job that continues an ended training job in its run directory from its newest checkpoint, with the run's own
    /// settings (workers may change). A job that still runs or waits, a DQN job, or a run without a usable checkpoint is
    /// refused (InvalidArgument) naming why.
    /// </summary>
    public override async Task<JobInfo> ResumeJob(ResumeJobRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var earlier = Find(request.JobId);
        if (earlier.State is not (JobState.Failed or JobState.Cancelled))
        {
            throw TrainingSpecMapper.Invalid("job_id", $"job {earlier.JobId} is {earlier.State.ToString().ToLowerInvariant()}; only a job that failed or was cancelled can be resumed");
        }

        TrainingSettings settings;
        try
        {
            settings = new RunDirectory(earlier.RunDirectory).ReadSettings();
            if (request.HasWorkers)
            {
                settings = settings with { Workers = request.Workers, MinWorkers = Math.Min(settings.MinWorkers, request.Workers) };
            }

            settings = settings.Validate();
            new CheckpointStore(earlier.RunDirectory).LoadLatest(settings);
        }
        catch (Exception error) when (error is InvalidDataException or FileNotFoundException or SettingsException or CheckpointException)
        {
            throw TrainingSpecMapper.Invalid("job_id", $"job {earlier.JobId} cannot be resumed: {error.Message}");
        }

        var jobId = NewTrainingJobId(settings);
        await StoreReadyAsync(context.CancellationToken).ConfigureAwait(false);
        var info = registry.Create(jobId, $"resumes {earlier.JobId}", settings, earlier.RunDirectory);
        await RecordAsync(info, StoredJob.Training, context.CancellationToken).ConfigureAwait(false);
        var manager = await jobManager.GetAsync(context.CancellationToken).ConfigureAwait(false);
        var events = await listener.GetAsync(context.CancellationToken).ConfigureAwait(false);
        manager.Tell(new SubmitTrainingJob(jobId, settings, earlier.RunDirectory, Resume: true), events);
        return info;
    }

    public override async Task<ClusterStatusResponse> ClusterStatus(ClusterStatusRequest request, ServerCallContext context)
    {
        try
        {
            return await control.StatusAsync(context.CancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, $"the job manager did not answer within {JobControl.AskTimeout.TotalSeconds:0} s"));
        }
    }

    /// <summary>Until the store has given the history back, the API cannot list or queue jobs in their order.</summary>
    private async Task StoreReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.Ready.WaitAsync(JobStore.Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is TimeoutException or InvalidOperationException)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, error is TimeoutException ? $"the job store is still being read ({JobStore.Timeout.TotalSeconds:0} s)" : error.Message));
        }
    }

    private async Task RecordAsync(JobInfo info, string kind, CancellationToken cancellationToken)
    {
        try
        {
            await store.RecordAsync(info, kind, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException error)
        {
            registry.Apply(new JobFailed(info.JobId, error.Message));
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, error.Message));
        }
    }

    /// <summary>A new training job's id: when it was made, the model, and a short random suffix.</summary>
    private static string NewTrainingJobId(TrainingSettings settings) =>
        $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{settings.Model.ToString().ToLowerInvariant()}-{Guid.NewGuid().ToString("N")[..6]}";

    private JobInfo Find(string jobId) =>
        string.IsNullOrWhiteSpace(jobId) ? throw TrainingSpecMapper.Invalid("job_id", "is required")
        : registry.Get(jobId) ?? throw new RpcException(new Grpc.Core.Status(StatusCode.NotFound, $"no job '{jobId}' on this coordinator (ListJobs shows the known ones)"));
}
