using System.ComponentModel;
using System.Globalization;
using ClusterTrainer.Cli.Console;
using ClusterTrainer.Cluster.Api;
using ClusterTrainer.Cluster.Api.Store;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>`clustertrainer node`: one node of a multi-process cluster, configured by flags or, in containers, environment variables.</summary>
public sealed class NodeCommand(IAnsiConsole console) : AsyncCommand<NodeCommand.Options>
{
    public const int Refused = NodeExit.Refused;

    public sealed class Options : CommandSettings
    {
        [CommandOption("--role <ROLES>")]
        [Description("coordinator, worker, comma separated to combine ($CLUSTERTRAINER_ROLES)")]
        public string? Roles { get; init; }

        [CommandOption("--host <HOST>")]
        [Description("Address to listen on ($CLUSTERTRAINER_HOST, default 127.0.0.1; 0.0.0.0 in containers)")]
        public string? Host { get; init; }

        [CommandOption("--port <PORT>")]
        [Description("Akka remoting port, 0 = any free port ($CLUSTERTRAINER_PORT, default 4053 for a coordinator, 0 otherwise)")]
        public string? Port { get; init; }

        [CommandOption("--public-host <HOST>")]
        [Description("Address other nodes use to reach this one, when it differs from --host ($CLUSTERTRAINER_PUBLIC_HOST)")]
        public string? PublicHost { get; init; }

        [CommandOption("--seed-nodes <ADDRESSES>")]
        [Description("Comma separated Akka addresses to join, e.g. akka.tcp://clustertrainer@coordinator:4053 ($CLUSTERTRAINER_SEED_NODES)")]
        public string? SeedNodes { get; init; }

        [CommandOption("--grpc-port <PORT>")]
        [Description("Coordinator only: port of the gRPC job API ($CLUSTERTRAINER_GRPC_PORT, default 5000; beyond loopback it needs $CLUSTERTRAINER_TOKEN or $CLUSTERTRAINER_TOKEN_FILE)")]
        public string? GrpcPort { get; init; }

        [CommandOption("--management-port <PORT>")]
        [Description("HTTP/1.1 port: /ready (a working member of the cluster) and /alive for probes, Prometheus /metrics on every node, and the dashboard on a coordinator; 0 = any free port ($CLUSTERTRAINER_MANAGEMENT_PORT, default 8558 for a coordinator, 0 otherwise)")]
        public string? ManagementPort { get; init; }

        [CommandOption("--runs <DIR>")]
        [Description("Coordinator only: where job outputs go ($CLUSTERTRAINER_RUNS_DIR, default runs)")]
        public string? Runs { get; init; }

        [CommandOption("--job-store <URL>")]
        [Description("Coordinator only: where the queue and the job history are kept, postgres://USER:PASSWORD@HOST:PORT/DATABASE ($CLUSTERTRAINER_JOB_STORE; default: an SQLite file jobs.db in the runs directory)")]
        public string? JobStore { get; init; }

        [CommandOption("--log-file <FILE>")]
        [Description("Also write compact-JSON logs to this file ($CLUSTERTRAINER_LOG_FILE)")]
        public string? LogFile { get; init; }

        [CommandOption("--tls-cert <FILE>")]
        [Description("Akka remoting over TLS: the PEM certificate every node of the cluster shares, made by `clustertrainer remoting-cert` ($CLUSTERTRAINER_TLS_CERT; with --tls-key)")]
        public string? TlsCertificate { get; init; }

        [CommandOption("--tls-key <FILE>")]
        [Description("The PEM private key of --tls-cert ($CLUSTERTRAINER_TLS_KEY)")]
        public string? TlsKey { get; init; }

        [CommandOption("--join-timeout <SECONDS>")]
        [Description("A node that is not the founding coordinator retries its seed nodes this long, then exits with code 1 so it is restarted ($CLUSTERTRAINER_JOIN_TIMEOUT, default 120)")]
        public string? JoinTimeout { get; init; }

        public NodeOptions ToNodeOptions()
        {
            var roles = Split(Roles ?? Environment.GetEnvironmentVariable("CLUSTERTRAINER_ROLES"));
            var isCoordinator = roles.Contains(NodeOptions.CoordinatorRole, StringComparer.Ordinal);
            var portText = Port ?? Environment.GetEnvironmentVariable("CLUSTERTRAINER_PORT");
            var port = portText is null ? (isCoordinator ? 4053 : 0)
                : int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
                : throw new SettingsException("--port", $"'{portText}' is not a port number");
            RefuseRetiredDiscovery();
            var managementText = ManagementPort ?? Environment.GetEnvironmentVariable("CLUSTERTRAINER_MANAGEMENT_PORT");
            var managementPort = managementText is null ? (isCoordinator ? 8558 : 0)
                : int.TryParse(managementText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsedManagement) ? parsedManagement
                : throw new SettingsException("--management-port", $"'{managementText}' is not a port number");
            var joinText = JoinTimeout ?? Environment.GetEnvironmentVariable("CLUSTERTRAINER_JOIN_TIMEOUT");
            return new NodeOptions(
                roles,
                Host ?? Environment.GetEnvironmentVariable("CLUSTERTRAINER_HOST") ?? "127.0.0.1",
                port,
                PublicHost ?? Environment.GetEnvironmentVariable("CLUSTERTRAINER_PUBLIC_HOST"),
                Split(SeedNodes ?? Environment.GetEnvironmentVariable("CLUSTERTRAINER_SEED_NODES")))
            {
                Tls = TlsFromSettings(),
                ManagementPort = managementPort,
                JoinTimeout = joinText is null ? NodeOptions.DefaultJoinTimeout : TimeSpan.FromSeconds(WholeNumber(joinText, "--join-timeout")),
            }.Validate();
        }

        private RemotingTls? TlsFromSettings()
        {
            var certificate = TlsCertificate ?? Environment.GetEnvironmentVariable("CLUSTERTRAINER_TLS_CERT");
            var key = TlsKey ?? Environment.GetEnvironmentVariable("CLUSTERTRAINER_TLS_KEY");
            return (certificate, key) switch
            {
                (null, null) => null,
                ({ } c, { } k) => new RemotingTls(c, k),
                (null, _) => throw new SettingsException("--tls-cert", "--tls-key was given without the certificate it belongs to ($CLUSTERTRAINER_TLS_CERT)"),
                (_, null) => throw new SettingsException("--tls-key", "--tls-cert was given without its private key ($CLUSTERTRAINER_TLS_KEY)"),
            };
        }

        /// <summary>Kubernetes API discovery (Akka.Management) was replaced by seed nodes: refuse it rather than ignore it.</summary>
        private static void RefuseRetiredDiscovery()
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CLUSTERTRAINER_DISCOVERY")))
            {
                throw new SettingsException("CLUSTERTRAINER_DISCOVERY",
                    "is no longer read: nodes join through seed nodes; on Kubernetes give every pod CLUSTERTRAINER_SEED_NODES=akka.ssl.tcp://clustertrainer@clustertrainer-coordinator-0.clustertrainer-coordinator:4053 (see k8s/base)");
            }
        }

        private static int WholeNumber(string text, string flag) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw new SettingsException(flag, $"'{text}' is not a whole number");

        public ApiOptions ToApiOptions(NodeOptions node)
        {
            ArgumentNullException.ThrowIfNull(node);
            var text = GrpcPort ?? Environment.GetEnvironmentVariable("CLUSTERTRAINER_GRPC_PORT");
            var port = text is null ? 5000
                : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed
                : throw new SettingsException("--grpc-port", $"'{text}' is not a port number");
            var runs = Runs ?? Environment.GetEnvironmentVariable("CLUSTERTRAINER_RUNS_DIR") ?? "runs";
            var jobStore = JobStore ?? Environment.GetEnvironmentVariable(JobStoreLocation.Variable);
            // Resolved here so a bad URL is refused, naming the flag, before the node starts.
            JobStoreLocation.Resolve(jobStore, runs);
            return new ApiOptions(node.Host, port, Path.GetFullPath(runs), ApiOptions.TokenFromEnvironment()) { JobStore = jobStore }.Validate();
        }

        public override ValidationResult Validate()
        {
            try
            {
                ToNodeOptions();
                return ValidationResult.Success();
            }
            catch (SettingsException error)
            {
                return ValidationResult.Error(error.Message);
            }
        }

        private static string[] Split(string? text) =>
            (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var node = settings.ToNodeOptions();
        var api = node.Has(NodeOptions.CoordinatorRole) ? settings.ToApiOptions(node) : null;
        var hostSetting = settings.Host is null && Environment.GetEnvironmentVariable("CLUSTERTRAINER_HOST") is not null ? "CLUSTERTRAINER_HOST" : "--host";
        var portSetting = settings.Port is null && Environment.GetEnvironmentVariable("CLUSTERTRAINER_PORT") is not null ? "CLUSTERTRAINER_PORT" : "--port";
        ListenCheck.Require(node.Host, node.Port, hostSetting, portSetting);
        if (api is not null)
        {
            ListenCheck.Require(api.Host, api.Port, hostSetting,
                settings.GrpcPort is null && Environment.GetEnvironmentVariable("CLUSTERTRAINER_GRPC_PORT") is not null ? "CLUSTERTRAINER_GRPC_PORT" : "--grpc-port");
        }

        if (node.ManagementPort is { } managementPort)
        {
            ListenCheck.Require(node.Host, managementPort, hostSetting,
                settings.ManagementPort is null && Environment.GetEnvironmentVariable("CLUSTERTRAINER_MANAGEMENT_PORT") is not null ? "CLUSTERTRAINER_MANAGEMENT_PORT" : "--management-port");
        }

        using var log = NodeLogging.Create(settings.LogFile ?? Environment.GetEnvironmentVariable("CLUSTERTRAINER_LOG_FILE"),
            new Dictionary<string, object> { ["Role"] = string.Join(",", node.Roles), ["Node"] = $"{node.AdvertisedHost}:{node.Port}" });
        Serilog.Log.Logger = log;
        string? refusal = null;
        await using var host = await ClusterNodeHost.StartAsync(node, log, onRefused: reason => refusal = reason, api: api).ConfigureAwait(false);
        if (api is not null)
        {
            log.Information("Job API (gRPC) listening on {Host}:{Port}, token {TokenRequirement}, runs in {RunsDirectory}",
                api.Host, api.Port, api.RequiresToken ? "required" : "not required on loopback", api.RunsDirectory);
        }

        var cluster = Akka.Cluster.Cluster.Get(host.System);
        log.Information("Node {Node} started with roles {Roles}", cluster.SelfAddress.ToString(), node.Roles);
        if (host.HttpAddresses.Count > 0)
        {
            log.Information("HTTP on {Addresses}: /ready, /alive, /metrics{Dashboard}", host.HttpAddresses, api is null ? "" : ", the dashboard at /");
        }

        console.WriteLine($"node {cluster.SelfAddress} roles {string.Join(",", node.Roles)}");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, host.Stopping);
        await Task.WhenAny(host.System.WhenTerminated, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
        var shutdown = Akka.Actor.CoordinatedShutdown.Get(host.System);
        // Akka may already be shutting the node down (downed, join given up, coordinator gone), which also stops
        // the host: then there is nothing to leave, only the end of that shutdown to wait for.
        var stopRequested = stop.IsCancellationRequested;
        if (shutdown.ShutdownReason is not null)
        {
            await host.System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
        }
        else if (!host.System.WhenTerminated.IsCompleted)
        {
            // Leave gracefully so the others see a departure, not a crash; bounded, since the others may be gone.
            try
            {
                await cluster.LeaveAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                log.Warning("Leaving the cluster took over {Seconds} s; stopping anyway", 15);
            }
        }

        var exit = NodeExit.For(shutdown.ShutdownReason, refusal, stopRequested, node.JoinTimeout);
        if (exit.Failure is not null)
        {
            log.Error("Node {Node} stops: {Failure}; exit code {ExitCode}", cluster.SelfAddress.ToString(), exit.Failure, exit.Code);
        }

        Serilog.Log.Logger = Serilog.Core.Logger.None;
        if (refusal is not null)
        {
            console.MarkupLineInterpolated($"[red]clustertrainer: refused by the coordinator: {refusal}[/]");
        }
        else if (exit.Failure is not null)
        {
            console.MarkupLineInterpolated($"[red]clustertrainer: node {cluster.SelfAddress} stopped: {exit.Failure}[/]");
        }

        return exit.Code;
    }
}
