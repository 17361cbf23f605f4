using System.Net;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cluster.Api;

/// <summary>Where the coordinator's gRPC job API listens, where runs are written, and the token it demands.</summary>
public sealed record ApiOptions(string Host, int Port, string RunsDirectory, string? Token)
{
    public const string TokenVariable = "CLUSTERTRAINER_TOKEN";
    public const string TokenFileVariable = "CLUSTERTRAINER_TOKEN_FILE";

    /// <summary>
    /// The durable job store: a postgres:// URL, or null for an SQLite file in <see cref="RunsDirectory"/>
    /// (see <see cref="Store.JobStoreLocation"/>).
    /// </summary>
    public string? JobStore { get; init; }

    /// <summary>Beyond loopback anyone on the network could submit jobs, so a token is required there.</summary>
    public bool RequiresToken => !IsLoopback(Host);

    public ApiOptions Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new SettingsException("--grpc-port", $"must be 0 to 65535 (got {Port})");
        }

        if (RequiresToken && string.IsNullOrWhiteSpace(Token))
        {
            throw new SettingsException(TokenVariable,
                $"the job API listens on {Host}, beyond loopback, so it needs a bearer token: set {TokenVariable} or {TokenFileVariable} (a file holding the token)");
        }

        return this;
    }

    /// <summary>The token from the environment: the variable itself, or the file it names (a mounted secret).</summary>
    public static string? TokenFromEnvironment()
    {
        var token = Environment.GetEnvironmentVariable(TokenVariable);
        if (!string.IsNullOrWhiteSpace(token))
        {
            return token.Trim();
        }

        var file = Environment.GetEnvironmentVariable(TokenFileVariable);
        if (string.IsNullOrWhiteSpace(file))
        {
            return null;
        }

        return File.Exists(file)
            ? File.ReadAllText(file).Trim()
            : throw new SettingsException(TokenFileVariable, $"the token file '{file}' does not exist");
    }

    private static bool IsLoopback(string host) =>
        host is "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
}
