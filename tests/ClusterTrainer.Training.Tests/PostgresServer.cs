using System.Diagnostics;
using ClusterTrainer.Cli.Processes;

namespace ClusterTrainer.Training.Tests;

/// <summary>A test that needs <see cref="PostgresServer"/>: skipped, saying why, where the server binaries are missing.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.Missing is { } missing)
        {
            Skip = missing;
        }
    }
}

/// <summary>
/// A throwaway PostgreSQL server for a test: Debian's binaries (package postgresql, which .ci/run installs),
/// a cluster initialised in a temporary directory, listening on a free 127.0.0.1 port, run as the unprivileged
/// user `nobody` (PostgreSQL refuses to run as root), stopped and deleted on dispose.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private readonly string _directory;

    private PostgresServer(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The job store URL of the server's database `clustertrainer` (trust authentication on loopback).</summary>
    public string Url => $"postgres://nobody@127.0.0.1:{Port}/clustertrainer";

    /// <summary>Why the PostgreSQL tests cannot run here, or null when they can.</summary>
    public static string? Missing =>
        File.Exists(Path.Combine(BinDirectory, "initdb")) ? null : $"PostgreSQL 15 server binaries are not in {BinDirectory}: apt-get install -y postgresql (as .ci/run does)";

    public static async Task<PostgresServer> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"ctsch-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        await RunAsync("chown", "nobody", directory);
        var port = LocalPorts.Free();
        var server = new PostgresServer(directory, port);
        try
        {
            var data = Path.Combine(directory, "data");
            await RunAsNobodyAsync(Path.Combine(BinDirectory, "initdb"), "-D", data, "-A", "trust", "-U", "nobody", "--no-sync");
            await RunAsNobodyAsync(Path.Combine(BinDirectory, "pg_ctl"), "-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60",
                "-o", $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off", "start");
            await RunAsNobodyAsync(Path.Combine(BinDirectory, "createdb"), "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "nobody", "clustertrainer");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        var data = Path.Combine(_directory, "data");
        if (Directory.Exists(data))
        {
            try
            {
                await RunAsNobodyAsync(Path.Combine(BinDirectory, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop");
            }
            catch (InvalidOperationException)
            {
                // Not running (it failed to start): nothing to stop.
            }
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static Task RunAsNobodyAsync(params string[] command) => RunAsync("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", .. command]);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(limit.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await errors}{await output}");
        }
    }
}
