using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Discovery.KubernetesApi;
using Akka.Management;
using Akka.Management.Cluster.Bootstrap;
using Akka.Remote.Hosting;
using ClusterTrainer.Cluster.Api;
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
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Serilog;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>
/// Starts one node of a multi-process cluster: Akka.Remote + Akka.Cluster with the node's roles, the
/// Split Brain Resolver (keep-majority), the job manager as a ClusterSingleton on role `coordinator`, and
/// on `worker` nodes a worker actor with a TCP ring exchange that registers itself with the coordinator,
/// and the host of DQN collectors (/user/collectors).
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
        var metrics = new NodeMetrics();
        if (api is null || !options.Has(NodeOptions.CoordinatorRole))
        {
            void ConfigureNode(AkkaConfigurationBuilder akka) => Configure(akka, options, log, jobs, onRefused, protocolVersion, metrics);
            return options.ManagementPort is null
                ? ActorSystemHost.StartAsync(NodeOptions.SystemName, ConfigureNode)
                : NodeHttpHost.StartAsync(options, api: null, metrics, ConfigureNode);
        }

        api.Validate();
        var registry = new JobRegistry();
        return NodeHttpHost.StartAsync(
            options,
            api,
            metrics,
            akka =>
            {
                Configure(akka, options, log, jobs, onRefused, protocolVersion, metrics);
                akka.WithActors((system, actors) => actors.Register<ApiJobListenerActor>(system.ActorOf(ApiJobListenerActor.Props(registry), "api-jobs")));
            },
            services =>
            {
                services.AddSingleton(registry);
                services.AddSingleton<DqnJobRunner>();
                services.AddSingleton(api);
                services.AddGrpc().AddServiceOptions<JobsService>(grpc => grpc.Interceptors.Add<BearerTokenInterceptor>());
                services.AddGrpcHealthChecks().AddCheck("actor-system", () => HealthCheckResult.Healthy());
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

    private static void Configure(AkkaConfigurationBuilder akka, NodeOptions options, ILogger log, JobManagerOptions? jobs, Action<string>? onRefused, int protocolVersion, NodeMetrics metrics)
    {
        akka.AddHocon(SerializationConfig.Hocon, HoconAddMode.Prepend)
            .AddHocon(
                // Large messages are split by the protocol itself (see FetchSamples.MaxSamples, ModelChunk);
                // a quick failure detector keeps "a worker died" a matter of seconds.
                "akka.cluster.failure-detector.acceptable-heartbeat-pause = 4s\n" +
                "akka.cluster.split-brain-resolver.stable-after = 10s\n" +
                // Remoting batches writes and flushes a half-empty batch only every 40 ms: our few small
                // messages per step (assignments, samples, acknowledgements) would wait for it each time.
                "akka.remote.dot-netty.tcp.batching.enabled = false\n" +
                // The proxy warns at once, before the cluster has formed; JobManagerSearchActor warns when it lasts.
                "akka.cluster.singleton-proxy.log-singleton-identification-failure = off\n",
                HoconAddMode.Prepend)
            .WithRemoting(new RemoteOptions { HostName = options.Host, Port = options.Port, PublicHostName = options.AdvertisedHost })
            .WithClustering(new ClusterOptions
            {
                Roles = options.Roles.ToArray(),
                SeedNodes = options.SeedNodes.ToArray(),
                SplitBrainResolver = SplitBrainResolverOption.Default,
            });
        if (options.Kubernetes is { } kubernetes)
        {
            // Seedless formation: every pod runs Akka.Management, finds the others through the Kubernetes API
            // by label, and Cluster Bootstrap lets the lowest-addressed contact point found the cluster.
            var selector = kubernetes.LabelSelector.Split('=', 2);
            akka.WithAkkaManagement(management =>
                {
                    management.HostName = options.AdvertisedHost;
                    management.Port = kubernetes.ManagementPort;
                    management.BindHostName = options.Host;
                    management.BindPort = kubernetes.ManagementPort;
                })
                .WithClusterBootstrap(bootstrap =>
                {
                    bootstrap.ContactPointDiscovery.ServiceName = selector.Length == 2 ? selector[1] : NodeOptions.SystemName;
                    bootstrap.ContactPointDiscovery.RequiredContactPointsNr = kubernetes.RequiredContacts;
                    bootstrap.ContactPointDiscovery.PortName = "management";
                })
                .WithKubernetesDiscovery(discovery =>
                {
                    discovery.PodLabelSelector = selector.Length == 2 ? $"{selector[0]}={{0}}" : kubernetes.LabelSelector;
                    discovery.PodNamespace = kubernetes.Namespace;
                });
        }

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
                // A coordinator started without seeds founds the cluster itself.
                cluster.Join(cluster.SelfAddress);
            }

            if (options.Has(NodeOptions.WorkerRole))
            {
                var exchanges = new TcpRingExchangeProvider(options.Host, options.AdvertisedHost);
                var nodeLog = log.ForContext("Node", cluster.SelfAddress.ToString());
                var worker = system.ActorOf(WorkerActor.Props(nodeLog, exchanges, WorkerTimeouts.Default, metrics), "worker");
                system.ActorOf(CollectorHostActor.Props(cluster.SelfAddress.ToString(), nodeLog), CollectorHostActor.Name);
                var jobManager = registry.Get<JobManagerActor>();
                system.ActorOf(WorkerRegistrationActor.Props(jobManager, worker, protocolVersion, log, reason =>
                {
                    onRefused?.Invoke(reason);
                    CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
                }), "registration");
            }
        });
    }
}
