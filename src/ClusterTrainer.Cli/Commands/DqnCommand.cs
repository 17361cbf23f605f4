using System.ComponentModel;
using System.Globalization;
using ClusterTrainer.Api.Settings;
using ClusterTrainer.Cli.Console;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Cluster.Rl;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Rl.Dqn;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>`clustertrainer dqn`: Ape-X-shaped DQN (parallel collectors, one replay, one learner) in this process.</summary>
public sealed class DqnCommand(IAnsiConsole console) : AsyncCommand<DqnCommand.Options>
{
    public sealed class Options : CommandSettings
    {
        [CommandOption("--env <NAME>")]
        [Description("cartpole | acrobot | mountaincar (default cartpole)")]
        public string Env { get; init; } = "cartpole";

        [CommandOption("--collectors <N>")]
        [Description("Collector actors, each with its own policy copy and epsilon (default 2)")]
        public string? Collectors { get; init; }

        [CommandOption("--envs-per-collector <N>")]
        [Description("Environment copies each collector steps together (default 4)")]
        public string? EnvsPerCollector { get; init; }

        [CommandOption("--steps <N>")]
        [Description("Environment steps of the whole run (default 100000; 120000 for mountaincar)")]
        public string? Steps { get; init; }

        [CommandOption("--seed <N>")]
        [Description("Seed of the networks, environments and sampling (default 1)")]
        public string? Seed { get; init; }

        [CommandOption("--replay-ratio <R>")]
        [Description("Gradient updates per collected transition (default 0.5)")]
        public string? ReplayRatio { get; init; }

        [CommandOption("--lr <RATE>")]
        [Description("Adam learning rate (default: the environment's tuned value)")]
        public string? LearningRate { get; init; }

        [CommandOption("--target-update <N>")]
        [Description("Gradient updates between target-network copies (default: the environment's tuned value)")]
        public string? TargetUpdate { get; init; }

        [CommandOption("--prioritized")]
        [Description("Proportional prioritised replay instead of uniform sampling")]
        public bool Prioritized { get; init; }

        [CommandOption("--eval-interval <N>")]
        [Description("Environment steps between periodic greedy evaluations (default 5000)")]
        public string? EvalInterval { get; init; }

        [CommandOption("-o|--out <DIR>")]
        [Description("Run directory for summary.json, metrics.csv, returns.png, model.bin, settings.json, log.json (default runs/<time>-dqn-<env>); must be new or empty unless --force")]
        public string? Out { get; init; }

        [CommandOption("--force")]
        [Description(RunOutputOptions.ForceDescription)]
        public bool Force { get; init; }

        /// <exception cref="SettingsException">naming the flag whose value cannot be used.</exception>
        public DqnSettings ToSettings() => DqnSettingsSchema.FromText(SettingTexts());

        /// <summary>The DQN settings given on the command line, by flag, as typed (a switch as "true"); --out and --force are not settings.</summary>
        public IReadOnlyDictionary<string, string> SettingTexts() =>
            GetType().GetProperties()
                .Select(p => (Flag: TrainOptions.LongFlag(p), Text: p.GetValue(this) switch { string text => text, true => "true", _ => null }))
                .Where(option => option is { Flag: not null, Text: not null } && DqnSettingsSchema.ByFlag(option.Flag) is not null)
                .ToDictionary(option => option.Flag!, option => option.Text!, StringComparer.Ordinal);

        public override ValidationResult Validate()
        {
            try
            {
                ToSettings();
                return ValidationResult.Success();
            }
            catch (SettingsException error)
            {
                return ValidationResult.Error(error.Message);
            }
        }


    }

    public override async Task<int> ExecuteAsync(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var dqn = settings.ToSettings();
        var run = new RunDirectory(settings.Out ?? RunDirectory.DefaultPath($"dqn-{dqn.Environment}", DateTimeOffset.UtcNow));
        var runId = Path.GetFileName(run.Path);
        OutputDirectory.Prepare(run.Path, settings.Force);
        console.MarkupLineInterpolated($"dqn {dqn.Environment}: {dqn.Collectors} collectors x {dqn.EnvsPerCollector} environments, {dqn.Steps} steps, replay ratio {dqn.ReplayRatio}, seed {dqn.Seed}");
        console.MarkupLineInterpolated($"run directory: {run.Path}");

        using var log = RunLogging.Create(run.File(RunDirectory.LogFile), quietConsole: true,
            new Dictionary<string, object> { ["RunId"] = runId, ["Model"] = "dqn", ["Env"] = dqn.Environment });
        // Akka.Logger.Serilog writes through the static logger, so Akka's own events land in the run's log too.
        Serilog.Log.Logger = log;
        DqnRunResult result;
        try
        {
            await using var host = await ActorSystemHost.StartAsync("clustertrainer").ConfigureAwait(false);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, host.Stopping);
            var progress = new DqnProgressPrinter(console);
            result = await LocalDqnCluster.RunAsync(host.System, dqn, log, progress.Show, runId, tensorBoardDirectory: run.Path, cancellationToken: stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A DQN run writes its results (kept weights, summary, metrics) when it ends; only its log exists yet.
            console.MarkupLineInterpolated($"[yellow]clustertrainer: cancelled[/]: {run.Path} keeps the run's log.json; a DQN run writes its results when it ends");
            return CliApp.Cancelled;
        }
        finally
        {
            Serilog.Log.Logger = Serilog.Core.Logger.None;
        }

        var summary = DqnRunOutputs.Write(run, result);
        var solved = summary.SolvedAtStep is { } at ? at.ToString(CultureInfo.InvariantCulture) : "not solved";
        console.MarkupLineInterpolated($"[green]greedy mean return {summary.EvalMeanReturn:F1}[/] over {summary.EvalEpisodes} episodes (weights of step {summary.KeptAtStep}); solved at {solved}; {summary.EnvSteps} env steps, {summary.Updates} updates, {summary.EnvStepsPerSecond:F0} env steps/s, {summary.WallSeconds:F1} s wall");
        console.MarkupLineInterpolated($"results: {run.File(RunDirectory.SummaryFile)}");
        return 0;
    }
}
