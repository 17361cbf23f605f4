using System.Security.Cryptography;
using System.Text;

namespace ClusterTrainer.Cluster.Api;

/// <summary>The check of an `authorization: Bearer &lt;token&gt;` header, shared by the gRPC job API and the dashboard.</summary>
public static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <returns>Null when the call may go on; otherwise why not, for the caller to send back.</returns>
    public static string? Refusal(string? header, ApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.RequiresToken)
        {
            return null;
        }

        if (header is null || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return "this job API needs 'authorization: Bearer <token>' (the CLI sends $CLUSTERTRAINER_TOKEN)";
        }

        var given = Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim());
        var expected = Encoding.UTF8.GetBytes(options.Token ?? string.Empty);
        return CryptographicOperations.FixedTimeEquals(given, expected) ? null : "the bearer token is not valid for this cluster";
    }
}
