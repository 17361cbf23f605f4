using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace ClusterTrainer.Cluster.Metrics;

/// <summary>GET /metrics: the node's instruments in Prometheus' text format (open, like the probes: no job data can be changed through it).</summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static IEndpointConventionBuilder MapNodeMetrics(this IEndpointRouteBuilder app, NodeMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return app.MapMetrics(Path, metrics.Registry);
    }
}
