using ClusterTrainer.Cli;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Cluster.Api.Store;
using ClusterTrainer.Core;

namespace ClusterTrainer.Training.Tests;

public sealed class JobStoreLocationTests
{
    [Fact]
    public void Without_a_url_the_store_should_be_an_sqlite_file_in_the_runs_directory()
    {
        var location = JobStoreLocation.Resolve(null, "/srv/runs");

        Assert.Equal("SQLite.MS", location.ProviderName);
        Assert.Equal("Data Source=/srv/runs/jobs.db", location.ConnectionString);
    }

    [Fact]
    public void A_postgres_url_should_become_an_npgsql_connection_string_with_every_part()
    {
        var location = JobStoreLocation.Resolve("postgres://trainer:p%40ss@db.example:6543/jobs", "/srv/runs");
        var parsed = new Npgsql.NpgsqlConnectionStringBuilder(location.ConnectionString);

        Assert.Equal("PostgreSQL.15", location.ProviderName);
        Assert.Equal(("db.example", 6543, "jobs", "trainer", "p@ss"), (parsed.Host, parsed.Port, parsed.Database, parsed.Username, parsed.Password));
        Assert.DoesNotContain("p@ss", location.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mysql://u:secret@h/db")]
    [InlineData("postgres://u:secret@h")]
    [InlineData("not a url")]
    public void Anything_else_should_be_refused_naming_the_flag_without_the_password(string value)
    {
        var error = Assert.Throws<SettingsException>(() => JobStoreLocation.Resolve(value, "/srv/runs"));

        Assert.Contains("--job-store", error.Message, StringComparison.Ordinal);
        Assert.Contains("postgres://USER:PASSWORD@HOST:PORT/DATABASE", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_node_command_should_refuse_a_bad_job_store_before_it_starts()
    {
        using var runs = new TempDirectory();
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "node", "--role", "coordinator", "--port", LocalPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--grpc-port", "0", "--management-port", "0", "--runs", runs.Path, "--job-store", "mysql://u:secret@h/db");

        Assert.True(code == CliApp.BadInput, output);
        Assert.Contains("--job-store", output, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", output, StringComparison.Ordinal);
    }
}
