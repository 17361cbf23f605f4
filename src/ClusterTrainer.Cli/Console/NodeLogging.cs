using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Formatting.Compact;

namespace ClusterTrainer.Cli.Console;

/// <summary>
/// Serilog for a long-running node, from configuration: appsettings.json beside the program and
/// environment variables (Serilog__MinimumLevel__Default=Debug, ...), plus two switches containers use:
/// CLUSTERTRAINER_LOG_FILE (daily rolling compact-JSON files) and CLUSTERTRAINER_SEQ_URL (Seq).
/// </summary>
public static class NodeLogging
{
    public const string SeqUrlVariable = "CLUSTERTRAINER_SEQ_URL";

    public static Serilog.Core.Logger Create(string? logFile, IReadOnlyDictionary<string, object> properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var logger = new LoggerConfiguration().ReadFrom.Configuration(configuration);
        foreach (var (name, value) in properties)
        {
            logger = logger.Enrich.WithProperty(name, value);
        }

        if (logFile is not null)
        {
            logger = logger.WriteTo.File(new CompactJsonFormatter(), logFile, rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14);
        }

        if (configuration[SeqUrlVariable] is { Length: > 0 } seq)
        {
            logger = logger.WriteTo.Seq(seq);
        }

        return logger.CreateLogger();
    }
}
