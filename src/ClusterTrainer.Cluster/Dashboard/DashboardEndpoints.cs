using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cluster.Api;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterTrainer.Cluster.Dashboard;

/// <summary>
/// The coordinator's live dashboard on its management port: a static page (embedded HTML, CSS and script, no outside
/// dependencies) that polls JSON endpoints. The page itself holds no data and is open; the JSON endpoints and the
/// cancel action demand the job API's bearer token wherever the job API does (beyond loopback).
/// </summary>
public static class DashboardEndpoints
{
    private static readonly JsonFormatter Protobuf = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/dashboard.js", "dashboard.js", "text/javascript; charset=utf-8"),
        ("/dashboard.css", "dashboard.css", "text/css; charset=utf-8"),
    ];

    public static WebApplication MapDashboard(this WebApplication app, JobRegistry registry, DashboardSeries series)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(series);
        registry.Published += series.Observe;
        var options = app.Services.GetRequiredService<ApiOptions>();
        var control = app.Services.GetRequiredService<JobControl>();

        foreach (var (path, resource, contentType) in Files)
        {
            var bytes = Resource(resource);
            app.MapGet(path, (HttpContext context) =>
            {
                // Everything the page loads comes from here: no inline script, nothing from elsewhere.
                context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(bytes, contentType);
            });
        }

        var api = app.MapGroup("/api").AddEndpointFilter(async (context, next) =>
            BearerToken.Refusal(context.HttpContext.Request.Headers.Authorization, options) is { } refusal
                ? Results.Json(new { error = refusal }, statusCode: StatusCodes.Status401Unauthorized)
                : await next(context).ConfigureAwait(false));

        api.MapGet("/cluster", async (CancellationToken cancel) =>
        {
            try
            {
                return ProtobufJson(await control.StatusAsync(cancel).ConfigureAwait(false));
            }
            catch (AskTimeoutException)
            {
                return Results.Json(new { error = $"the job manager did not answer within {JobControl.AskTimeout.TotalSeconds:0} s" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        api.MapGet("/jobs", () =>
        {
            var response = new ListJobsResponse();
            response.Jobs.AddRange(registry.List());
            return ProtobufJson(response);
        });
        api.MapGet("/jobs/{jobId}/series", (string jobId) =>
            registry.Get(jobId) is null ? UnknownJob(jobId) : Results.Json(series.Get(jobId), Json));
        api.MapPost("/jobs/{jobId}/cancel", async (string jobId, CancellationToken cancel) =>
        {
            if (registry.Get(jobId) is not { } job)
            {
                return UnknownJob(jobId);
            }

            await control.CancelAsync(jobId, cancel).ConfigureAwait(false);
            return ProtobufJson(job, StatusCodes.Status202Accepted);
        });
        return app;
    }

    private static IResult ProtobufJson(IMessage message, int status = StatusCodes.Status200OK) =>
        Results.Content(Protobuf.Format(message), "application/json; charset=utf-8", statusCode: status);

    private static IResult UnknownJob(string jobId) =>
        Results.Json(new { error = $"no job '{jobId}' on this coordinator" }, statusCode: StatusCodes.Status404NotFound);

    private static byte[] Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"dashboard/{name}")
            ?? throw new InvalidOperationException($"the dashboard's {name} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
