using ClusterTrainer.Cli.Commands;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli;

/// <summary>One command of the program: its name, its type (whose settings list its options) and how it is registered.</summary>
public sealed record CommandEntry(string Name, Type CommandType, bool Hidden, Action<IConfigurator> Register)
{
    /// <summary>The settings class the command binds its options to (the T of AsyncCommand&lt;T&gt; or Command&lt;T&gt;).</summary>
    public Type SettingsType
    {
        get
        {
            for (var type = CommandType; type is not null; type = type.BaseType)
            {
                if (type.IsGenericType && type.GenericTypeArguments is [var settings] && typeof(CommandSettings).IsAssignableFrom(settings))
                {
                    return settings;
                }
            }

            throw new InvalidOperationException($"{CommandType.Name} binds no settings");
        }
    }
}

/// <summary>
/// Every command `clustertrainer` has, in one list: the app registers exactly these, and the checks that need
/// to know a command's options (the missing-value check, the --help tests) read them from here.
/// </summary>
public static class CommandCatalog
{
    public static IReadOnlyList<CommandEntry> All { get; } =
    [
        Command<TrainCommand>("train", "Train a model (mlp, cnn, rnn, tabular) on the actor cluster in this process.",
            c => c.WithExample("train", "--model", "cnn", "--epochs", "10", "--workers", "2")),
        Command<EvaluateCommand>("evaluate", "Reload a trained model and print its test accuracy.",
            c => c.WithExample("evaluate", "--run", "runs/20260101-120000-mlp")),
        Command<ClusterCommand>("cluster", "Train on a real multi-process cluster on this machine: a coordinator and N worker processes.",
            c => c.WithExample("cluster", "--workers", "2", "--model", "mlp")),
        Command<NodeCommand>("node", "Run one node of a cluster (coordinator or worker), e.g. in a container.",
            c => c.WithExample("node", "--role", "worker", "--seed-nodes", "akka.tcp://clustertrainer@coordinator:4053")),
        Command<RemotingCertCommand>("remoting-cert", "Make the TLS certificate and key that a cluster's nodes share for Akka remoting (tls.crt, tls.key).",
            c => c.WithExample("remoting-cert", "--out", "certs")),
        Command<SubmitCommand>("submit", "Queue a training job on a running cluster (gRPC job API); --watch follows it.",
            c => c.WithExample("submit", "--server", "http://127.0.0.1:5000", "--model", "cnn", "--watch")),
        Command<SweepCommand>("sweep", "Submit a grid of experiments from a YAML/JSON file and print their results as one table."),
        Command<JobsCommand>("jobs", "List the cluster's jobs."),
        Command<WatchCommand>("watch", "Follow a job to its end (exit code: 0 finished, 1 failed, 130 cancelled)."),
        Command<CancelCommand>("cancel", "Cancel a queued or running job."),
        Command<ResumeCommand>("resume", "Continue an ended (failed or cancelled) training job from its newest checkpoint, as a new job."),
        Command<StatusCommand>("status", "Cluster members, roles, reachability, busy and idle workers."),
        Command<BenchCommand>("bench", "Measure samples/s of a plain TorchSharp loop against the actor cluster with 1 and N workers."),
        Command<DqnCommand>("dqn", "Train a DQN with parallel collectors, a bounded replay and one learner (cartpole, acrobot, mountaincar).",
            c => c.WithExample("dqn", "--env", "cartpole", "--collectors", "2", "--steps", "100000")),
        Command<PlayCommand>("play", "Replay a DQN run's greedy policy and print its mean return.",
            c => c.WithExample("play", "--run", "runs/20260101-120000-dqn-cartpole", "--episodes", "100")),
        Command<ExchangePeerCommand>("exchange-peer", description: null, hidden: true),
        Command<LightWorkersCommand>("light-workers", description: null, hidden: true),
    ];

    public static CommandEntry? Find(string name) => All.FirstOrDefault(c => c.Name == name);

    private static CommandEntry Command<TCommand>(string name, string? description, Action<ICommandConfigurator>? more = null, bool hidden = false)
        where TCommand : class, ICommand =>
        new(name, typeof(TCommand), hidden, config =>
        {
            var command = config.AddCommand<TCommand>(name);
            if (description is not null)
            {
                command.WithDescription(description);
            }

            more?.Invoke(command);
            if (hidden)
            {
                command.IsHidden();
            }
        });
}
