using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace ClusterTrainer.Cli.Console;

/// <summary>
/// Serilog for a run: human-readable console lines and a compact-JSON file of record in the run directory.
/// While a progress bar owns the terminal the console shows warnings only; the file always gets everything.
/// </summary>
public static class RunLogging
{
    public static Serilog.Core.Logger Create(string? logFile, bool quietConsole, IReadOnlyDictionary<string, object> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .MinimumLevel.Override("Akka", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Node", Environment.MachineName)
            // Per-step events belong in the log of record; on the console the progress lines already say it.
            .WriteTo.Logger(console => console
                .Filter.ByExcluding(e => e.Level < LogEventLevel.Warning && e.Properties.ContainsKey("Step"))
                .WriteTo.Console(
                    restrictedToMinimumLevel: quietConsole ? LogEventLevel.Warning : LogEventLevel.Information,
                    outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}",
                    standardErrorFromLevel: LogEventLevel.Warning));
        foreach (var (name, value) in properties)
        {
            configuration = configuration.Enrich.WithProperty(name, value);
        }

        if (logFile is not null)
        {
            configuration = configuration.WriteTo.File(new CompactJsonFormatter(), logFile, restrictedToMinimumLevel: LogEventLevel.Debug);
        }

        return configuration.CreateLogger();
    }
}
