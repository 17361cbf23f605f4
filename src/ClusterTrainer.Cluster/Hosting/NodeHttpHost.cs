using System.Net;
using Akka.Hosting;
using ClusterTrainer.Cluster.Api;
using ClusterTrainer.Cluster.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>
/// The Kestrel host of a node that serves HTTP, with the node's actor system inside it (both stop together): the
/// management port (HTTP/1.1: /ready and /alive for probes and /metrics on every node, the dashboard on a coordinator)
/// and, on a coordinator, the gRPC job API's port (HTTP/2). Two ports because Kestrel serves cleartext HTTP/2 only on an HTTP/2-only endpoint, while
/// browsers and Prometheus speak HTTP/1.1 there.
/// </summary>
public static class NodeHttpHost
{
    /// <param name="api">The job API of a coordinator node; null on other nodes.</param>
    /// <param name="metrics">Served at /metrics on the management port when the node has one.</param>
    /// <param name="addServices">Registers the job API's services, before the host is built.</param>
    /// <param name="mapEndpoints">Maps the job API's endpoints, once it is built.</param>
    public static Task<ActorSystemHost> StartAsync(
        NodeOptions node,
        ApiOptions? api,
        NodeMetrics metrics,
        Action<AkkaConfigurationBuilder> configureAkka,
        Action<IServiceCollection>? addServices = null,
        Action<WebApplication>? mapEndpoints = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(metrics);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (api is not null)
            {
                kestrel.Listen(ListenAddress(api.Host), api.Port, listen => listen.Protocols = HttpProtocols.Http2);
            }

            if (node.ManagementPort is { } management)
            {
                kestrel.Listen(ListenAddress(node.Host), management, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        ActorSystemHost.AddActorSystem(builder.Services, builder.Logging, NodeOptions.SystemName, configureAkka);
        builder.Services.AddSingleton(metrics);
        // Akka.Hosting's checks (actor system alive, cluster joined) and the node's own join these (NodeHealthChecks).
        builder.Services.AddHealthChecks();
        addServices?.Invoke(builder.Services);
        var app = builder.Build();
        if (node.ManagementPort is not null)
        {
            app.MapNodeMetrics(metrics);
            app.MapNodeHealth();
        }

        mapEndpoints?.Invoke(app);
        return ActorSystemHost.StartAsync(app);
    }

    private static IPAddress ListenAddress(string host) =>
        host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out var address) ? address : IPAddress.Any;
}
