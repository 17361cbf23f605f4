using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Exchange;
using ClusterTrainer.Cluster.Nodes;
using ClusterTrainer.Cluster.Serialization;
using ClusterTrainer.Cluster.Workers;
using Serilog;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>
/// Starts one node of a multi-process cluster: Akka.Remote + Akka.Cluster with the node's roles, the
/// Split Brain Resolver (keep-majority), the job manager as a ClusterSingleton on role `coordinator`, and
/// on `worker` nodes a worker actor with a TCP ring exchange that registers itself with the coordinator.
/// </summary>
public static class ClusterNodeHost
{
    /// <param name="protocolVersion">The version this node announces; only tests pass another than the current one.</param>
    public static Task<ActorSystemHost> StartAsync(NodeOptions options, ILogger log, JobManagerOptions? jobs = null, Action<string>? onRefused = null, int protocolVersion = ProtocolVersion.Current)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return ActorSystemHost.StartAsync(NodeOptions.SystemName, akka =>
        {
            akka.AddHocon(SerializationConfig.Hocon, HoconAddMode.Prepend)
                .AddHocon(
                    // Large messages are split by the protocol itself (see FetchSamples.MaxSamples, ModelChunk);
                    // a quick failure detector keeps "a worker died" a matter of seconds.
                    "akka.cluster.failure-detector.acceptable-heartbeat-pause = 4s\n" +
                    "akka.cluster.split-brain-resolver.stable-after = 10s\n",
                    HoconAddMode.Prepend)
                .WithRemoting(new RemoteOptions { HostName = options.Host, Port = options.Port, PublicHostName = options.PublicHost })
                .WithClustering(new ClusterOptions
                {
                    Roles = options.Roles.ToArray(),
                    SeedNodes = options.SeedNodes.ToArray(),
                    SplitBrainResolver = SplitBrainResolverOption.Default,
                });
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
                var cluster = Akka.Cluster.Cluster.Get(system);
                if (options.SeedNodes.Count == 0)
                {
                    // A coordinator started without seeds founds the cluster itself.
                    cluster.Join(cluster.SelfAddress);
                }

                if (options.Has(NodeOptions.WorkerRole))
                {
                    var exchanges = new TcpRingExchangeProvider(options.Host, options.AdvertisedHost);
                    var worker = system.ActorOf(WorkerActor.Props(log.ForContext("Node", cluster.SelfAddress.ToString()), exchanges, WorkerTimeouts.Default), "worker");
                    var jobManager = registry.Get<JobManagerActor>();
                    system.ActorOf(WorkerRegistrationActor.Props(jobManager, worker, protocolVersion, log, reason =>
                    {
                        onRefused?.Invoke(reason);
                        CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
                    }), "registration");
                }
            });
        });
    }
}
