using ClusterTrainer.Cli.Client;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core;
using ClusterTrainer.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli;

/// <summary>The `clustertrainer` command line: one entry point for the process and for in-process tests.</summary>
public static class CliApp
{
    public const int BadInput = 2;
    public const int Failed = 1;
    public const int Cancelled = 130;

    /// <param name="cancellationToken">Cancelled when the process is asked to stop (Ctrl-C, SIGTERM): see <see cref="TerminationSignals"/>.</param>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole? console = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var output = console ?? AnsiConsole.Console;
        if (CommandOptions.MissingValue(args) is { } missing)
        {
            output.MarkupLineInterpolated($"[red]clustertrainer: bad command line: {missing}[/]");
            return BadInput;
        }

        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("clustertrainer");
            config.UseStrictParsing();
            if (console is not null)
            {
                config.ConfigureConsole(console);
            }

            foreach (var command in CommandCatalog.All)
            {
                command.Register(config);
            }

            config.SetExceptionHandler((error, _) => ReportError(error, output));
        });
        return await app.RunAsync(args, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One line that names what was wrong; the exit code says whether it was the input or the run.</summary>
    private static int ReportError(Exception error, IAnsiConsole console)
    {
        var (code, prefix) = error switch
        {
            SettingsException => (BadInput, "bad setting"),
            ClusterTrainer.Core.Checkpoints.CheckpointException => (BadInput, "bad checkpoint"),
            DataFormatException => (BadInput, "bad data"),
            DataNotFoundException => (BadInput, "data not found"),
            CommandAppException => (BadInput, "bad command line"),
            FileNotFoundException or DirectoryNotFoundException or InvalidDataException => (BadInput, "bad input"),
            TrainingFailedException => (Failed, "training failed"),
            NetLab.LabUnavailableException => (Failed, "the network lab cannot run here"),
            CoordinatorUnreachableException => (Failed, "coordinator unreachable"),
            Grpc.Core.RpcException rpc when rpc.StatusCode is Grpc.Core.StatusCode.InvalidArgument or Grpc.Core.StatusCode.NotFound => (BadInput, $"the server refused the request ({rpc.StatusCode})"),
            Grpc.Core.RpcException rpc => (Failed, $"the job API call failed ({rpc.StatusCode})"),
            OperationCanceledException => (Cancelled, "cancelled"),
            _ => (Failed, "error"),
        };
        console.MarkupLineInterpolated($"[red]clustertrainer: {prefix}: {ErrorText.ForPeople(error)}[/]");
        return code;
    }
}
