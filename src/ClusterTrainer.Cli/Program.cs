using ClusterTrainer.Cli;

return await CliApp.RunAsync(args).ConfigureAwait(false);
