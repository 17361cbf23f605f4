using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>
/// The HTTP probes of a node's management port: GET /ready (200 once the node is a working member of the
/// cluster, 503 before) and GET /alive (200 while its actor system runs). Each answer lists every check with
/// its status and why, so `curl` shows what a node waits for.
/// </summary>
public static class NodeHealthEndpoints
{
    public const string ReadyPath = "/ready";
    public const string AlivePath = "/alive";

    public static WebApplication MapNodeHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(ReadyPath, Options(NodeHealthChecks.ReadyTag));
        app.MapHealthChecks(AlivePath, Options(NodeHealthChecks.LivenessTag));
        return app;
    }

    private static HealthCheckOptions Options(string tag) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResponseWriter = WriteAsync,
    };

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var text = new StringBuilder().Append(report.Status).Append('\n');
        foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append(": ").Append(entry.Status);
            if (!string.IsNullOrEmpty(entry.Description))
            {
                text.Append(" (").Append(entry.Description).Append(')');
            }

            text.Append('\n');
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text.ToString());
    }
}
