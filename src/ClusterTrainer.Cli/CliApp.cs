using ClusterTrainer.Cli.Commands;
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

    public static async Task<int> RunAsync(string[] args, IAnsiConsole? console = null)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("clustertrainer");
            config.UseStrictParsing();
            if (console is not null)
            {
                config.ConfigureConsole(console);
            }

            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train a model (mlp, cnn, rnn, tabular) on the actor cluster in this process.")
                .WithExample("train", "--model", "cnn", "--epochs", "10", "--workers", "2");
            config.AddCommand<EvaluateCommand>("evaluate")
                .WithDescription("Reload a trained model and print its test accuracy.")
                .WithExample("evaluate", "--run", "runs/20260101-120000-mlp");
            config.AddCommand<ClusterCommand>("cluster")
                .WithDescription("Train on a real multi-process cluster on this machine: a coordinator and N worker processes.")
                .WithExample("cluster", "--workers", "2", "--model", "mlp");
            config.AddCommand<NodeCommand>("node")
                .WithDescription("Run one node of a cluster (coordinator, worker, data), e.g. in a container.")
                .WithExample("node", "--role", "worker", "--seed-nodes", "akka.tcp://clustertrainer@coordinator:4053");
            config.AddCommand<RemotingCertCommand>("remoting-cert")
                .WithDescription("Make the TLS certificate and key that a cluster's nodes share for Akka remoting (tls.crt, tls.key).")
                .WithExample("remoting-cert", "--out", "certs");
            config.AddCommand<SubmitCommand>("submit")
                .WithDescription("Queue a training job on a running cluster (gRPC job API); --watch follows it.")
                .WithExample("submit", "--server", "http://127.0.0.1:5000", "--model", "cnn", "--watch");
            config.AddCommand<SweepCommand>("sweep")
                .WithDescription("Submit a grid of experiments from a YAML/JSON file and print their results as one table.");
            config.AddCommand<JobsCommand>("jobs").WithDescription("List the cluster's jobs.");
            config.AddCommand<WatchCommand>("watch").WithDescription("Follow a job to its end (exit code: 0 finished, 1 failed, 130 cancelled).");
            config.AddCommand<CancelCommand>("cancel").WithDescription("Cancel a queued or running job.");
            config.AddCommand<StatusCommand>("status").WithDescription("Cluster members, roles, reachability, busy and idle workers.");
            config.AddCommand<BenchCommand>("bench")
                .WithDescription("Measure samples/s of a plain TorchSharp loop against the actor cluster with 1 and N workers.");
            config.AddCommand<DqnCommand>("dqn")
                .WithDescription("Train a DQN with parallel collectors, a bounded replay and one learner (cartpole, acrobot, mountaincar).")
                .WithExample("dqn", "--env", "cartpole", "--collectors", "2", "--steps", "100000");
            config.AddCommand<PlayCommand>("play")
                .WithDescription("Replay a DQN run's greedy policy and print its mean return.")
                .WithExample("play", "--run", "runs/20260101-120000-dqn-cartpole", "--episodes", "100");
            config.AddCommand<ExchangePeerCommand>("exchange-peer").IsHidden();
            config.SetExceptionHandler((error, _) => ReportError(error, console ?? AnsiConsole.Console));
        });
        return await app.RunAsync(args).ConfigureAwait(false);
    }

    /// <summary>One line that names what was wrong; the exit code says whether it was the input or the run.</summary>
    private static int ReportError(Exception error, IAnsiConsole console)
    {
        var (code, prefix) = error switch
        {
            SettingsException => (BadInput, "bad setting"),
            DataFormatException => (BadInput, "bad data"),
            DataNotFoundException => (BadInput, "data not found"),
            CommandAppException => (BadInput, "bad command line"),
            FileNotFoundException or DirectoryNotFoundException or InvalidDataException => (BadInput, "bad input"),
            TrainingFailedException => (Failed, "training failed"),
            Grpc.Core.RpcException rpc when rpc.StatusCode is Grpc.Core.StatusCode.InvalidArgument or Grpc.Core.StatusCode.NotFound => (BadInput, $"the server refused the request ({rpc.StatusCode})"),
            Grpc.Core.RpcException rpc => (Failed, $"the job API call failed ({rpc.StatusCode})"),
            OperationCanceledException => (Cancelled, "cancelled"),
            _ => (Failed, "error"),
        };
        console.MarkupLineInterpolated($"[red]clustertrainer: {prefix}: {error.Message}[/]");
        return code;
    }
}
