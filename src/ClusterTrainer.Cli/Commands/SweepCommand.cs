using System.ComponentModel;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>
/// `clustertrainer sweep --file sweep.yaml`: a batch of experiments. Every combination of the grid's values
/// is submitted as one job, all at once (the cluster runs them as concurrently as its workers allow) or at most
/// --max-concurrent at a time; all are followed to their end, and the results come back as one table, best test
/// accuracy first. The exit code is 0 only when every job finished.
/// </summary>
public sealed class SweepCommand(IAnsiConsole console) : AsyncCommand<SweepCommand.Options>
{
    public sealed class Options : ServerOptions
    {
        [CommandOption("-f|--file <FILE>")]
        [Description("Sweep file, YAML or JSON: `base:` settings and a `grid:` of lists (see README)")]
        public string File { get; init; } = string.Empty;

        [CommandOption("--max-concurrent <N>")]
        [Description("At most N of the sweep's jobs unfinished at a time, the next submitted when one ends (default: all submitted at once)")]
        public string? MaxConcurrent { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(File))
            {
                return ValidationResult.Error("--file: give the sweep file (YAML or JSON)");
            }

            return MaxConcurrent is not null && !(int.TryParse(MaxConcurrent, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1)
                ? ValidationResult.Error($"--max-concurrent: '{MaxConcurrent}' is not a whole number of at least 1; leave it out to submit every point at once")
                : ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var points = SweepFile.Load(settings.File);
        SweepValidation.Require(settings.File, points);
        var (channel, client) = settings.Connect();
        using (channel)
        {
            var maxConcurrent = settings.MaxConcurrent is null ? (int?)null : int.Parse(settings.MaxConcurrent, System.Globalization.CultureInfo.InvariantCulture);
            var ended = await SweepRunner.RunAsync(client, points, maxConcurrent, console, cancellationToken).ConfigureAwait(false);
            console.Write(JobTables.SweepResults(ended.Select(e => (e.Job, e.Point.Name))));
            return ended.All(e => e.Job.State == JobState.Finished) ? 0 : CliApp.Failed;
        }
    }
}
