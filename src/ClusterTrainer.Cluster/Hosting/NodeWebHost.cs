using System.Net;
using Akka.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>
/// The Kestrel host of a node that serves HTTP: the management port (HTTP/1.1: /ready and /alive for probes)
/// on any node that has one, and on a coordinator the gRPC job API (HTTP/2) as well. The actor system lives in
/// the same host, so both stop together.
/// </summary>
public static class NodeWebHost
{
    /// <param name="grpc">Where the job API listens (host, port); null on a node without it.</param>
    /// <param name="addServices">Registers the job API's services, before the host is built.</param>
    /// <param name="mapEndpoints">Maps the job API's endpoints, once it is built.</param>
    public static Task<ActorSystemHost> StartAsync(
        NodeOptions node,
        Action<AkkaConfigurationBuilder> configureAkka,
        (string Host, int Port)? grpc = null,
        Action<IServiceCollection>? addServices = null,
        Action<WebApplication>? mapEndpoints = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (grpc is var (grpcHost, grpcPort))
            {
                kestrel.Listen(ListenAddress(grpcHost), grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            }

            if (node.ManagementPort is { } management)
            {
                kestrel.Listen(ListenAddress(node.Host), management, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        ActorSystemHost.AddActorSystem(builder.Services, builder.Logging, NodeOptions.SystemName, configureAkka);
        builder.Services.AddHealthChecks();
        addServices?.Invoke(builder.Services);
        var app = builder.Build();
        if (node.ManagementPort is not null)
        {
            app.MapNodeHealth();
        }

        mapEndpoints?.Invoke(app);
        return ActorSystemHost.StartAsync(app);
    }

    private static IPAddress ListenAddress(string host) =>
        host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out var address) ? address : IPAddress.Any;
}
