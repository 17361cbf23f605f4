using ClusterTrainer.Cli;
using ClusterTrainer.Cli.Console;
using ClusterTrainer.Cli.Processes;
using Spectre.Console;

if (OutputWidth.Choose(Console.IsOutputRedirected, Environment.GetEnvironmentVariable("COLUMNS")) is { } width)
{
    AnsiConsole.Profile.Width = width;
}

using var signals = TerminationSignals.Register(Console.Error);
return await CliApp.RunAsync(args, cancellationToken: signals.Token).ConfigureAwait(false);
