using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using ClusterTrainer.Cluster.Api;
using ClusterTrainer.Cluster.Api.Store;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Exchange.Providers;
using ClusterTrainer.Cluster.Nodes;
using ClusterTrainer.Cluster.Rl;
using ClusterTrainer.Cluster.Serialization;
using ClusterTrainer.Cluster.Workers;
using Microsoft.AspNetCore.Builder;
using ClusterTrainer.Cluster.Dashboard;
using ClusterTrainer.Cluster.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Serilog;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>
/// Starts one node of a multi-process cluster: Akka.Remote (over TLS when the node has the cluster's
/// certificate) + Akka.Cluster with the node's roles, the Split Brain Resolver (keep-majority), the job manager
/// as a ClusterSingleton on role `coordinator`, and on `worker` nodes a worker actor with a TCP ring exchange
/// that registers itself with the coordinator, and the host of DQN collectors (/user/collectors). Only a
/// coordinator founds a cluster; every other node joins through its seed nodes, or gives up and exits.
/// </summary>
public static class ClusterNodeHost
{
    /// <summary>How long a node looks for the job manager before it says it has not found it.</summary>
    public static readonly TimeSpan JobManagerSearchPatience = TimeSpan.FromSeconds(30);

    /// <param name="api">The gRPC job API to serve on a coordinator node; null for none.</param>
    /// <param name="protocolVersion">The version this node announces; only tests pass another than the current one.</param>
    public static Task<ActorSystemHost> StartAsync(
        NodeOptions options,
        ILogger log,
        JobManagerOptions? jobs = null,
        Action<string>? onRefused = null,
        int protocolVersion = ProtocolVersion.Current,
        ApiOptions? api = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        // Loaded before anything starts, so a missing or broken certificate is a settings error naming the file.
        var certificate = options.Tls?.Load();
        var registration = options.Has(NodeOptions.WorkerRole) ? new WorkerRegistrationStatus() : null;
        var metrics = new NodeMetrics();
        void ConfigureNode(AkkaConfigurationBuilder akka) => Configure(akka, options, log, jobs, onRefused, protocolVersion, metrics, certificate, registration);

        if (api is null || !options.Has(NodeOptions.CoordinatorRole))
        {
            return options.ManagementPort is null
                ? ActorSystemHost.StartAsync(NodeOptions.SystemName, ConfigureNode)
                : NodeHttpHost.StartAsync(options, api: null, metrics, ConfigureNode);
        }

        api.Validate();
        var registry = new JobRegistry();
        var store = JobStoreLocation.Resolve(api.JobStore, api.RunsDirectory);
        // The SQLite store's file goes in the runs directory, which a first start has not made yet.
        Directory.CreateDirectory(api.RunsDirectory);
        return NodeHttpHost.StartAsync(
            options,
            api,
            metrics,
            akka =>
            {
                ConfigureNode(akka);
                akka.AddHocon(store.Hocon(), HoconAddMode.Prepend);
                akka.WithActors((system, actors) =>
                {
                    actors.Register<ApiJobListenerActor>(system.ActorOf(ApiJobListenerActor.Props(registry), "api-jobs"));
                    // The extension adds the plugin's defaults (its journal and snapshot-store classes) to the config.
                    Akka.Persistence.Sql.SqlPersistence.Get(system);
                    actors.Register<JobStoreActor>(system.ActorOf(JobStoreActor.Props(), "job-store"));
                });
            },
            services =>
            {
                services.AddSingleton(registry);
                services.AddSingleton<DqnJobRunner>();
                services.AddSingleton(store);
                services.AddSingleton<JobStore>();
                services.AddHostedService(provider => provider.GetRequiredService<JobStore>());
                services.AddSingleton(api);
                services.AddGrpc().AddServiceOptions<JobsService>(grpc => grpc.Interceptors.Add<BearerTokenInterceptor>());
                // The overall service ("", what a kubelet gRPC probe asks by default) is the readiness: serving only
                // once this node is Up in the cluster and the job manager answers. "liveness": the actor system runs.
                services.AddGrpcHealthChecks(health =>
                {
                    health.Services.Clear();
                    health.Services.Map(string.Empty, check => check.Tags.Contains(NodeHealthChecks.ReadyTag));
                    health.Services.Map(NodeHealthChecks.LivenessTag, check => check.Tags.Contains(NodeHealthChecks.LivenessTag));
                });
                services.AddSingleton<JobControl>();
                services.AddSingleton<DashboardSeries>();
            },
            app =>
            {
                app.MapGrpcService<JobsService>();
                app.MapGrpcHealthChecksService();
                CoordinatorMetrics.Attach(metrics, registry, app.Services.GetRequiredService<ActorSystem>(), app.Services.GetRequiredService<IRequiredActor<JobManagerActor>>());
                if (options.ManagementPort is not null)
                {
                    app.MapDashboard(registry, app.Services.GetRequiredService<DashboardSeries>());
                }
            });
    }

    private static void Configure(
        AkkaConfigurationBuilder akka,
        NodeOptions options,
        ILogger log,
        JobManagerOptions? jobs,
        Action<string>? onRefused,
        int protocolVersion,
        NodeMetrics metrics,
        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate,
        WorkerRegistrationStatus? registration)
    {
        var remoting = new RemoteOptions { HostName = options.Host, Port = options.Port, PublicHostName = options.AdvertisedHost };
        if (certificate is not null)
        {
            remoting.EnableSsl = true;
            remoting.Ssl = RemotingTls.SslOptionsFor(certificate);
        }

        akka.AddHocon(SerializationConfig.Hocon, HoconAddMode.Prepend)
            .AddHocon(
                // Large messages are split by the protocol itself (see FetchSamples.MaxSamples, ModelChunk);
                // a quick failure detector keeps "a worker died" a matter of seconds.
                "akka.cluster.failure-detector.acceptable-heartbeat-pause = 4s\n" +
                "akka.cluster.split-brain-resolver.stable-after = 10s\n" +
                RemotingTuning.Hocon +
                // The proxy warns at once, before the cluster has formed; JobManagerSearchActor warns when it lasts.
                "akka.cluster.singleton-proxy.log-singleton-identification-failure = off\n" +
                // A node that cannot reach its seed nodes retries every few seconds (Akka logs each attempt), but
                // not forever: it shuts down and its process exits with a failure code, so Kubernetes or compose
                // restart it, rather than sitting in no cluster while showing as running.
                $"akka.cluster.shutdown-after-unsuccessful-join-seed-nodes = {(long)options.JoinTimeout.TotalMilliseconds}ms\n",
                HoconAddMode.Prepend)
            .WithRemoting(remoting)
            .WithClustering(new ClusterOptions
            {
                Roles = options.Roles.ToArray(),
                SeedNodes = options.SeedNodes.ToArray(),
                SplitBrainResolver = SplitBrainResolverOption.Default,
            });
        akka.WithNodeHealthChecks(options, registration);

        var singleton = new ClusterSingletonOptions { Role = NodeOptions.CoordinatorRole };
        if (options.Has(NodeOptions.CoordinatorRole))
        {
            akka.WithSingleton<JobManagerActor>("job-manager", JobManagerActor.Props(log, jobs ?? JobManagerOptions.Default), singleton, createProxyToo: true);
        }
        else
        {
            akka.WithSingletonProxy<JobManagerActor>("job-manager", singleton);
        }

        akka.WithActors((system, registry) =>
        {
            system.ActorOf(JobManagerSearchActor.Props(log, "job-manager", JobManagerSearchPatience), "job-manager-search");
            var cluster = Akka.Cluster.Cluster.Get(system);
            if (options.SeedNodes.Count == 0)
            {
                // Only a coordinator may be started without seeds (NodeOptions.Validate): it founds the cluster.
                cluster.Join(cluster.SelfAddress);
            }
            else
            {
                log.Information("Joining the cluster through the seed nodes {SeedNodes}; giving up after {JoinTimeoutSeconds} s",
                    options.SeedNodes, options.JoinTimeout.TotalSeconds);
            }

            if (!options.Has(NodeOptions.CoordinatorRole))
            {
                system.ActorOf(CoordinatorWatchActor.Props(log), "coordinator-watch");
            }

            if (options.Has(NodeOptions.WorkerRole))
            {
                var exchanges = new TcpRingExchangeProvider(options.Host, options.AdvertisedHost);
                var nodeLog = log.ForContext("Node", cluster.SelfAddress.ToString());
                var worker = system.ActorOf(WorkerActor.Props(nodeLog, exchanges, WorkerTimeouts.Default, WorkerPlacement.ThisNode(cluster.SelfAddress.ToString()), metrics), "worker");
                system.ActorOf(CollectorHostActor.Props(cluster.SelfAddress.ToString(), nodeLog), CollectorHostActor.Name);
                var jobManager = registry.Get<JobManagerActor>();
                system.ActorOf(WorkerRegistrationActor.Props(jobManager, worker, protocolVersion, log, reason =>
                {
                    onRefused?.Invoke(reason);
                    CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
                }, registration), "registration");
            }
        });
    }
}
