using System.ComponentModel;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>
/// `clustertrainer sweep --file sweep.yaml`: a batch of experiments. Every combination of the grid's values
/// is submitted as one job (they queue on the cluster), all are followed to their end, and the results
/// come back as one table. The exit code is 0 only when every job finished.
/// </summary>
public sealed class SweepCommand(IAnsiConsole console) : AsyncCommand<SweepCommand.Options>
{
    public sealed class Options : ServerOptions
    {
        [CommandOption("-f|--file <FILE>")]
        [Description("Sweep file, YAML or JSON: `base:` settings and a `grid:` of lists (see README)")]
        public string File { get; init; } = string.Empty;

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(File) ? ValidationResult.Error("--file: give the sweep file (YAML or JSON)") : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var points = SweepFile.Load(settings.File);
        SweepValidation.Require(settings.File, points);
        var (channel, client) = settings.Connect();
        using (channel)
        {
            var submitted = new List<(SweepPoint Point, JobInfo Job)>();
            foreach (var point in points)
            {
                var job = await client.SubmitJobAsync(new SubmitJobRequest { Name = point.Name, Training = point.Spec }, deadline: ServerOptions.Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
                console.WriteLine($"submitted {job.JobId}: {point.Name}");
                submitted.Add((point, job));
            }

            var ended = await Task.WhenAll(submitted.Select(s => JobWatcher.WatchAsync(client, s.Job.JobId, console, quiet: true, cancellationToken))).ConfigureAwait(false);
            console.Write(JobTables.SweepResults(ended.Select(job => (job, submitted.First(s => s.Job.JobId == job.JobId).Point.Name))));
            return ended.All(j => j.State == JobState.Finished) ? 0 : CliApp.Failed;
        }
    }
}
