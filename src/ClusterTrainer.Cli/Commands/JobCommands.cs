using System.ComponentModel;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>Options of the commands that name one job.</summary>
public sealed class JobOptions : ServerOptions
{
    [CommandArgument(0, "<JOB>")]
    [Description("Job id, as `submit` printed it or `jobs` lists it")]
    public string JobId { get; init; } = string.Empty;
}

/// <summary>`clustertrainer jobs`: every job the coordinator knows, with its state.</summary>
public sealed class JobsCommand(IAnsiConsole console) : AsyncCommand<ServerOptions>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ServerOptions settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (channel, client) = settings.Connect();
        using (channel)
        {
            var jobs = await client.ListJobsAsync(new ListJobsRequest(), deadline: ServerOptions.Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            console.Write(JobTables.Jobs(jobs.Jobs));
            return 0;
        }
    }
}

/// <summary>`clustertrainer watch JOB`: live progress until the job ends; the exit code tells how it ended.</summary>
public sealed class WatchCommand(IAnsiConsole console) : AsyncCommand<JobOptions>
{
    public override async Task<int> ExecuteAsync(CommandContext context, JobOptions settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (channel, client) = settings.Connect();
        using (channel)
        {
            var ended = await JobWatcher.WatchAsync(client, settings.JobId, console, quiet: false, cancellationToken).ConfigureAwait(false);
            JobWatcher.Report(console, ended);
            return JobExitCodes.For(ended.State);
        }
    }
}

/// <summary>`clustertrainer cancel JOB`: exit code 0 when the job is cancelled or had already ended (the message says which).</summary>
public sealed class CancelCommand(IAnsiConsole console) : AsyncCommand<JobOptions>
{
    public override async Task<int> ExecuteAsync(CommandContext context, JobOptions settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (channel, client) = settings.Connect();
        using (channel)
        {
            // The job as it was when the request arrived: a job that had ended is left as it was.
            var job = await client.CancelJobAsync(new CancelJobRequest { JobId = settings.JobId }, deadline: ServerOptions.Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            console.WriteLine(CancelOutcome.Describe(job));
            return 0;
        }
    }
}

public sealed class ResumeOptions : ServerOptions
{
    [CommandArgument(0, "<JOB>")]
    [Description("Id of an ended (failed or cancelled) training job, as `jobs` lists it")]
    public string JobId { get; init; } = string.Empty;

    [CommandOption("-w|--workers <N>")]
    [Description("Workers for the rest of the run (default: the job's own; the results do not depend on it)")]
    public string? Workers { get; init; }
}

/// <summary>`clustertrainer resume JOB`: continues an ended job from its newest checkpoint as a new job; prints its id.</summary>
public sealed class ResumeCommand(IAnsiConsole console) : AsyncCommand<ResumeOptions>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ResumeOptions settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var request = new ResumeJobRequest { JobId = settings.JobId };
        if (FlagValues.PositiveInt(settings.Workers, "--workers") is { } workers)
        {
            request.Workers = workers;
        }

        var (channel, client) = settings.Connect();
        using (channel)
        {
            var job = await client.ResumeJobAsync(request, deadline: ServerOptions.Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            console.WriteLine(job.JobId);
            console.MarkupLineInterpolated($"resumes {settings.JobId} from its newest checkpoint in {job.RunDirectory} (follow it with: clustertrainer watch {job.JobId})");
            return 0;
        }
    }
}

/// <summary>`clustertrainer status`: members, roles, reachability, each worker node's job, busy and idle workers.</summary>
public sealed class StatusCommand(IAnsiConsole console) : AsyncCommand<ServerOptions>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ServerOptions settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (channel, client) = settings.Connect();
        using (channel)
        {
            var status = await client.ClusterStatusAsync(new ClusterStatusRequest(), deadline: ServerOptions.Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            console.Write(JobTables.Members(status));
            foreach (var line in JobTables.WorkerJobs(status))
            {
                console.WriteLine(line);
            }

            console.WriteLine($"workers: {status.BusyWorkers} busy, {status.IdleWorkers} idle; queued jobs: {status.QueuedJobs}; running: {(status.RunningJobs.Count == 0 ? "none" : string.Join(", ", status.RunningJobs))}");
            return 0;
        }
    }
}
