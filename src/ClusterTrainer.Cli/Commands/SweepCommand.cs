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
/// accuracy first. The exit code is 0 only when every job finished. With --halving the points run by successive
/// halving (see <see cref="SuccessiveHalving"/>), and the exit code is 0 when the winner finished.
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

        [CommandOption("--halving")]
        [Description("Successive halving: every point trains --min-epochs, the better half by test accuracy goes on to twice the epochs, and so on; the last point trains to the full epochs")]
        public bool Halving { get; init; }

        [CommandOption("--min-epochs <N>")]
        [Description("With --halving: the epochs of the first rung (default 1); below the points' epochs")]
        public string? MinEpochs { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(File))
            {
                return ValidationResult.Error("--file: give the sweep file (YAML or JSON)");
            }

            if (MaxConcurrent is not null && !(int.TryParse(MaxConcurrent, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1))
            {
                return ValidationResult.Error($"--max-concurrent: '{MaxConcurrent}' is not a whole number of at least 1; leave it out to submit every point at once");
            }

            if (MinEpochs is not null && !Halving)
            {
                return ValidationResult.Error("--min-epochs: only means something with --halving; add --halving, or leave --min-epochs out");
            }

            return Halving && MaxConcurrent is not null
                ? ValidationResult.Error("--max-concurrent: cannot be combined with --halving, which runs each rung's points at once; leave one of them out")
                : ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var minEpochs = FlagValues.PositiveInt(settings.MinEpochs, "--min-epochs") ?? 1;
        var points = SweepFile.Load(settings.File);
        SweepValidation.Require(settings.File, points);
        var (channel, client) = settings.Connect();
        using (channel)
        {
            if (settings.Halving)
            {
                HalvingRules.Require(settings.File, points, minEpochs);
                var results = await HalvingSweepRunner.RunAsync(client, points, minEpochs, console, cancellationToken).ConfigureAwait(false);
                console.Write(JobTables.HalvingResults(results));
                console.WriteLine(JobTables.HalvingCost(results));
                return HalvingResult.Rank(results)[0].Job.State == JobState.Finished ? 0 : CliApp.Failed;
            }

            var maxConcurrent = settings.MaxConcurrent is null ? (int?)null : int.Parse(settings.MaxConcurrent, System.Globalization.CultureInfo.InvariantCulture);
            var ended = await SweepRunner.RunAsync(client, points, maxConcurrent, console, cancellationToken).ConfigureAwait(false);
            console.Write(JobTables.SweepResults(ended.Select(e => (e.Job, e.Point.Name))));
            return ended.All(e => e.Job.State == JobState.Finished) ? 0 : CliApp.Failed;
        }
    }
}
