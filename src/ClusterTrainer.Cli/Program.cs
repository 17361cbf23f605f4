using ClusterTrainer.Cli;
using ClusterTrainer.Cli.Processes;

using var signals = TerminationSignals.Register(Console.Error);
return await CliApp.RunAsync(args, cancellationToken: signals.Token).ConfigureAwait(false);
