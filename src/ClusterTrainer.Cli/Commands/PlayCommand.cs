using System.ComponentModel;
using System.Globalization;
using ClusterTrainer.Cluster.Rl;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Models.Dqn;
using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Environments;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>`clustertrainer play`: replays a DQN run's greedy policy and prints its mean return.</summary>
public sealed class PlayCommand(IAnsiConsole console) : Command<PlayCommand.Options>
{
    public sealed class Options : CommandSettings
    {
        [CommandOption("--run <DIR>")]
        [Description("A run directory written by `clustertrainer dqn`")]
        public string Run { get; init; } = string.Empty;

        [CommandOption("--episodes <N>")]
        [Description("Greedy episodes to play (default 100)")]
        public int Episodes { get; init; } = 100;

        [CommandOption("--seed <N>")]
        [Description("Seed of the episodes' initial states (default: one the training never used)")]
        public int? Seed { get; init; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Run) ? ValidationResult.Error("--run: name a run directory")
            : Episodes < 1 ? ValidationResult.Error($"--episodes: must be at least 1, got {Episodes}")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var run = new RunDirectory(settings.Run);
        var dqn = DqnRunOutputs.ReadSettings(run);
        var spec = EnvironmentCatalog.Get(dqn.Environment);
        var probe = spec.Create();
        var modelPath = run.File(RunDirectory.ModelFile);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"{modelPath} not found", modelPath);
        }

        using var network = new QNetwork(probe.ObservationSize, dqn.Hidden, probe.ActionCount, dqn.Seed);
        SavedModel.Load(modelPath, $"Q-network for {spec.Id} (hidden {string.Join(",", dqn.Hidden)}) that settings.json describes", network.Load);
        var seed = settings.Seed ?? SeedMixer.Mix(dqn.Seed, 3_000_000);
        var returns = GreedyEvaluation.Run(spec.Create, settings.Episodes, seed, network.QValues);
        var mean = returns.Average();
        console.MarkupLineInterpolated($"{spec.Id}: greedy mean return {mean.ToString("F1", CultureInfo.InvariantCulture)} over {returns.Length} episodes (min {returns.Min():F0}, max {returns.Max():F0}, seed {seed})");
        return 0;
    }
}
