namespace ClusterTrainer.Deploy.Tests;

/// <summary>What the `clustertrainer node` program reads, as agreed for issue 6; manifests must use these names.</summary>
internal static class NodeContract
{
    public const int RemotingPort = 4053;
    public const int GrpcPort = 5000;
    public const int ManagementPort = 8558;
    public const string ManagementPortName = "management";
    public const string PartOfLabel = "app.kubernetes.io/part-of";
    public const string ReadyPath = "/ready";
    public const string AlivePath = "/alive";
    public const string LivenessService = "liveness";

    /// <summary>The coordinator pod's stable DNS name: StatefulSet pod 0 behind its headless Service.</summary>
    public const string CoordinatorDnsName = "clustertrainer-coordinator-0.clustertrainer-coordinator";

    /// <summary>Secrets the README tells users to create once; the manifests only refer to them (apply never overwrites them).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> UserSecrets = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["clustertrainer-token"] = ["token"],
        ["clustertrainer-remoting"] = ["tls.crt", "tls.key"],
        ["seq-admin"] = ["password"],
        ["clustertrainer-job-store"] = ["url"],
    };

    public static readonly IReadOnlySet<string> Variables = new HashSet<string>(StringComparer.Ordinal)
    {
        "CLUSTERTRAINER_ROLES", "CLUSTERTRAINER_HOST", "CLUSTERTRAINER_PORT", "CLUSTERTRAINER_PUBLIC_HOST",
        "CLUSTERTRAINER_SEED_NODES", "CLUSTERTRAINER_LOG_FILE", "CLUSTERTRAINER_MANAGEMENT_PORT", "CLUSTERTRAINER_JOIN_TIMEOUT",
        "CLUSTERTRAINER_TLS_CERT", "CLUSTERTRAINER_TLS_KEY",
        "CLUSTERTRAINER_GRPC_PORT", "CLUSTERTRAINER_TOKEN", "CLUSTERTRAINER_TOKEN_FILE", "CLUSTERTRAINER_RUNS_DIR",
        "CLUSTERTRAINER_DATA", "CLUSTERTRAINER_SEQ_URL", "CLUSTERTRAINER_JOB_STORE",
    };

    public static int Port(string? text, int fallback) =>
        text is null ? fallback : int.Parse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
}
