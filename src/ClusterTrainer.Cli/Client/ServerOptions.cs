using System.ComponentModel;
using ClusterTrainer.Api.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Client;

/// <summary>Where the coordinator's job API is and the token to present: shared by every client command.</summary>
public class ServerOptions : CommandSettings
{
    public const string ServerVariable = "CLUSTERTRAINER_SERVER";

    [CommandOption("--server <URL>")]
    [Description("Job API of the coordinator ($CLUSTERTRAINER_SERVER, default http://127.0.0.1:5000)")]
    public string? Server { get; init; }

    [CommandOption("--token <TOKEN>")]
    [Description("Bearer token ($CLUSTERTRAINER_TOKEN)")]
    public string? Token { get; init; }

    public (GrpcChannel Channel, Jobs.JobsClient Client) Connect() => Connect(Server, Token);

    public static (GrpcChannel Channel, Jobs.JobsClient Client) Connect(string? serverFlag, string? tokenFlag)
    {
        var server = serverFlag ?? Environment.GetEnvironmentVariable(ServerVariable) ?? "http://127.0.0.1:5000";
        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            throw new Core.SettingsException("--server", $"'{server}' is not an http:// or https:// URL (example: http://coordinator:5000)");
        }

        var channel = GrpcChannel.ForAddress(uri);
        var token = tokenFlag ?? Environment.GetEnvironmentVariable("CLUSTERTRAINER_TOKEN");
        var calls = channel.Intercept(new CoordinatorConnectionInterceptor(server));
        var invoker = string.IsNullOrWhiteSpace(token)
            ? calls
            : calls.Intercept(metadata =>
            {
                metadata.Add("authorization", $"Bearer {token.Trim()}");
                return metadata;
            });
        return (channel, new Jobs.JobsClient(invoker));
    }

    /// <summary>Every remote call gets a deadline: nothing waits forever on a coordinator that does not answer.</summary>
    public static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);
}
