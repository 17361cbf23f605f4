using ClusterTrainer.Core;

namespace ClusterTrainer.Cluster.Api.Store;

/// <summary>
/// Where the durable job store lives: an SQLite file in the runs directory by default (nothing to set up), or a
/// PostgreSQL database named by a URL (<c>postgres://user:password@host:port/database</c>), from --job-store or
/// $CLUSTERTRAINER_JOB_STORE (on Kubernetes, from a Secret).
/// </summary>
public sealed record JobStoreLocation(string ProviderName, string ConnectionString, string Description)
{
    public const string Flag = "--job-store";
    public const string Variable = "CLUSTERTRAINER_JOB_STORE";
    public const string SqliteFileName = "jobs.db";

    /// <exception cref="SettingsException">naming --job-store when the value is neither empty nor a postgres:// URL.</exception>
    public static JobStoreLocation Resolve(string? value, string runsDirectory)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            var file = Path.GetFullPath(Path.Combine(runsDirectory, SqliteFileName));
            return new JobStoreLocation("SQLite.MS", $"Data Source={file}", $"SQLite file {file}");
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql") || uri.AbsolutePath.Trim('/').Length == 0)
        {
            throw new SettingsException(Flag, $"'{Redact(value)}' is not a PostgreSQL URL: give postgres://USER:PASSWORD@HOST:PORT/DATABASE (or leave {Flag} and ${Variable} unset for an SQLite file in the runs directory)");
        }

        var credentials = uri.UserInfo.Split(':', 2);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port > 0 ? uri.Port : 5432,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/')),
            Username = credentials[0].Length > 0 ? Uri.UnescapeDataString(credentials[0]) : null,
            Password = credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : null,
        };
        return new JobStoreLocation("PostgreSQL.15", builder.ConnectionString, $"PostgreSQL database {builder.Database} on {builder.Host}:{builder.Port}");
    }

    /// <summary>The Akka.Persistence.Sql journal and snapshot store on this database; the tables are created when missing.</summary>
    public string Hocon()
    {
        var connection = ConnectionString.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return $$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql { connection-string = "{{connection}}", provider-name = "{{ProviderName}}", auto-initialize = on }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql { connection-string = "{{connection}}", provider-name = "{{ProviderName}}", auto-initialize = on }
              }
            }
            """;
    }

    /// <summary>A URL's password never reaches a log or an error message.</summary>
    private static string Redact(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':', StringComparison.Ordinal)
            ? value.Replace(uri.UserInfo, uri.UserInfo.Split(':')[0] + ":***", StringComparison.Ordinal)
            : value;
}
