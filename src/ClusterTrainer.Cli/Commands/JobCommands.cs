using System.ComponentModel;
using System.Globalization;
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
            var table = new Table().AddColumns("job", "name", "state", "model", "epoch", "test accuracy", "error");
            foreach (var job in jobs.Jobs)
            {
                table.AddRow(Markup.Escape(job.JobId), Markup.Escape(job.Name), job.State.ToString(), job.Model, $"{job.Epoch}/{job.Epochs}",
                    job.TestAccuracy.ToString("P2", CultureInfo.InvariantCulture), Markup.Escape(job.Error));
            }

            console.Write(table);
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

/// <summary>`clustertrainer cancel JOB`.</summary>
public sealed class CancelCommand(IAnsiConsole console) : AsyncCommand<JobOptions>
{
    public override async Task<int> ExecuteAsync(CommandContext context, JobOptions settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (channel, client) = settings.Connect();
        using (channel)
        {
            await client.CancelJobAsync(new CancelJobRequest { JobId = settings.JobId }, deadline: ServerOptions.Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            console.WriteLine($"cancel requested for {settings.JobId}");
            return 0;
        }
    }
}

/// <summary>`clustertrainer status`: members, roles, reachability, busy and idle workers.</summary>
public sealed class StatusCommand(IAnsiConsole console) : AsyncCommand<ServerOptions>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ServerOptions settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (channel, client) = settings.Connect();
        using (channel)
        {
            var status = await client.ClusterStatusAsync(new ClusterStatusRequest(), deadline: ServerOptions.Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            var table = new Table().AddColumns("member", "roles", "status", "reachable", "busy");
            foreach (var member in status.Members)
            {
                table.AddRow(Markup.Escape(member.Address), string.Join(",", member.Roles), member.Status, member.Reachable ? "yes" : "[red]no[/]", member.Busy ? "yes" : "no");
            }

            console.Write(table);
            console.WriteLine($"workers: {status.BusyWorkers} busy, {status.IdleWorkers} idle; queued jobs: {status.QueuedJobs}; running: {(status.RunningJob.Length == 0 ? "none" : status.RunningJob)}");
            return 0;
        }
    }
}
