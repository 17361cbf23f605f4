using System.ComponentModel;
using System.Globalization;
using ClusterTrainer.Api.Settings;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli.Client;
using ClusterTrainer.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>`clustertrainer submit`: queue a training job on a running cluster through its job API.</summary>
public sealed class SubmitCommand(IAnsiConsole console) : AsyncCommand<SubmitCommand.Options>
{
    public sealed class Options : TrainOptions
    {
        [CommandOption("--server <URL>")]
        [Description("Job API of the coordinator ($CLUSTERTRAINER_SERVER, default http://127.0.0.1:5000)")]
        public string? Server { get; init; }

        [CommandOption("--token <TOKEN>")]
        [Description("Bearer token ($CLUSTERTRAINER_TOKEN)")]
        public string? Token { get; init; }

        [CommandOption("--name <NAME>")]
        [Description("A label for the job")]
        public string? Name { get; init; }

        [CommandOption("--dqn-env <ENV>")]
        [Description("Submit a DQN job instead (cartpole | acrobot | mountaincar); with --collectors, --steps, --seed and --replay-ratio")]
        public string? DqnEnv { get; init; }

        [CommandOption("--collectors <N>")]
        [Description("DQN: collector actors (default 2)")]
        public int? Collectors { get; init; }

        [CommandOption("--steps <N>")]
        [Description("DQN: environment steps (default: the environment's, 100000 for cartpole)")]
        public long? Steps { get; init; }

        [CommandOption("--replay-ratio <R>")]
        [Description("DQN: gradient updates per collected transition (default 0.5)")]
        public string? ReplayRatio { get; init; }

        [CommandOption("--watch")]
        [Description("Follow the job to its end; the exit code then tells how it ended (0 finished, 1 failed, 130 cancelled)")]
        public bool Watch { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var given = settings.GivenFlags();
        SubmitRules.RequireCarried(given, new TrainOptions().AllFlags(), dqn: settings.DqnEnv is not null);
        var request = new SubmitJobRequest { Name = settings.Name ?? string.Empty };
        if (settings.DqnEnv is { } env)
        {
            request.Dqn = DqnRequest(env, settings);
        }
        else
        {
            request.Training = TrainingSettingsSchema.ToSpec(settings.ToSettings());
        }

        var (channel, client) = ServerOptions.Connect(settings.Server, settings.Token);
        using (channel)
        {
            var status = await client.ClusterStatusAsync(new ClusterStatusRequest(), deadline: ServerOptions.Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            var job = await client.SubmitJobAsync(request, deadline: ServerOptions.Deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
            console.WriteLine(job.JobId);
            if (request.Training is { } training && SubmitRules.WorkerShortage(training.Workers, status.BusyWorkers + status.IdleWorkers) is { } note)
            {
                console.MarkupLineInterpolated($"[yellow]{note}[/]");
            }

            if (!settings.Watch)
            {
                return 0;
            }

            var ended = await JobWatcher.WatchAsync(client, job.JobId, console, quiet: false, cancellationToken).ConfigureAwait(false);
            JobWatcher.Report(console, ended);
            return JobExitCodes.For(ended.State);
        }
    }

    /// <summary>
    /// A DQN job's request from submit's DQN flags, checked here as `dqn` checks its own (an error names submit's
    /// flag), every carried setting written out.
    /// </summary>
    private static DqnSpec DqnRequest(string env, Options settings)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal) { ["--env"] = env };
        if (settings.Collectors is { } collectors)
        {
            given["--collectors"] = collectors.ToString(CultureInfo.InvariantCulture);
        }

        if (settings.Steps is { } steps)
        {
            given["--steps"] = steps.ToString(CultureInfo.InvariantCulture);
        }

        if (settings.Seed is { } seed)
        {
            given["--seed"] = seed;
        }

        if (settings.ReplayRatio is { } ratio)
        {
            given["--replay-ratio"] = ratio;
        }

        try
        {
            return DqnSettingsSchema.ToSpec(DqnSettingsSchema.FromText(given));
        }
        catch (SettingsException error) when (error.Setting == "--env")
        {
            throw error.Renamed("--dqn-env");
        }
    }
}
