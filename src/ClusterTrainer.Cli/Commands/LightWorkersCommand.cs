using System.ComponentModel;
using ClusterTrainer.Cluster.Simulation;
using ClusterTrainer.Core;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>
/// Hidden helper of `bench --control-plane`: one process of light workers (workers without a model that answer the
/// coordinator's steps at once), registered with the measuring process's registry. Runs until it is stopped.
/// </summary>
public sealed class LightWorkersCommand : AsyncCommand<LightWorkersCommand.Options>
{
    /// <summary>What the process prints once its workers are registered, followed by their count.</summary>
    public const string ReadyLine = "light-workers-ready ";

    private static readonly TimeSpan RegistrationTimeout = TimeSpan.FromSeconds(60);

    public sealed class Options : CommandSettings
    {
        [CommandOption("--registry <PATH>")]
        [Description("The measuring process's registry: akka.tcp://SYSTEM@HOST:PORT/user/light-workers")]
        public string? Registry { get; init; }

        [CommandOption("--count <N>")]
        [Description("How many light workers this process hosts")]
        public string? Count { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var registry = settings.Registry ?? throw new SettingsException("--registry", "is required: the measuring process's registry path");
        var count = FlagValues.PositiveInt(settings.Count, "--count") ?? throw new SettingsException("--count", "is required: how many light workers to host");
        await using var host = await LightWorkerHost.StartAsync("light").ConfigureAwait(false);
        await LightWorkerHost.OfferAsync(host.System, registry, count, RegistrationTimeout).ConfigureAwait(false);
        System.Console.WriteLine(ReadyLine + count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped by the measuring process (SIGTERM): leave quietly.
        }

        return 0;
    }
}
