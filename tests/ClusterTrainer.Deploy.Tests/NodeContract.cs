namespace ClusterTrainer.Deploy.Tests;

/// <summary>What the `clustertrainer node` program reads, as agreed for issue 6; manifests must use these names.</summary>
internal static class NodeContract
{
    public const int RemotingPort = 4053;
    public const int GrpcPort = 5000;
    public const int ManagementPort = 8558;
    public const string ManagementPortName = "management";
    public const string PartOfLabel = "app.kubernetes.io/part-of";

    public static readonly IReadOnlySet<string> Variables = new HashSet<string>(StringComparer.Ordinal)
    {
        "CLUSTERTRAINER_ROLES", "CLUSTERTRAINER_HOST", "CLUSTERTRAINER_PORT", "CLUSTERTRAINER_PUBLIC_HOST",
        "CLUSTERTRAINER_SEED_NODES", "CLUSTERTRAINER_LOG_FILE", "CLUSTERTRAINER_DISCOVERY", "CLUSTERTRAINER_MANAGEMENT_PORT",
        "CLUSTERTRAINER_DISCOVERY_SELECTOR", "CLUSTERTRAINER_NAMESPACE", "CLUSTERTRAINER_REQUIRED_CONTACTS",
        "CLUSTERTRAINER_GRPC_PORT", "CLUSTERTRAINER_TOKEN", "CLUSTERTRAINER_TOKEN_FILE", "CLUSTERTRAINER_RUNS_DIR",
        "CLUSTERTRAINER_DATA", "CLUSTERTRAINER_SEQ_URL",
    };

    public static int Port(string? text, int fallback) =>
        text is null ? fallback : int.Parse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
}
