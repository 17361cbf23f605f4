using ClusterTrainer.Core;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>Where a cluster node listens, how others reach it, which roles it plays and whom it joins.</summary>
public sealed record NodeOptions(IReadOnlyList<string> Roles, string Host, int Port, string? PublicHost, IReadOnlyList<string> SeedNodes)
{
    /// <summary>
    /// Set to form the cluster through Akka.Management + Cluster Bootstrap + Kubernetes API discovery
    /// instead of seed nodes (in a Kubernetes pod).
    /// </summary>
    public KubernetesDiscovery? Kubernetes { get; init; }

    /// <summary>The HTTP/1.1 port serving /metrics (and a coordinator's dashboard); 0 = any free port, null = none.</summary>
    public int? ManagementPort { get; init; }

    public const string SystemName = "clustertrainer";
    public const string CoordinatorRole = "coordinator";
    public const string WorkerRole = "worker";
    public const string DataRole = "data";

    public static readonly IReadOnlyList<string> KnownRoles = [CoordinatorRole, WorkerRole, DataRole];

    public bool Has(string role) => Roles.Contains(role, StringComparer.Ordinal);

    /// <summary>
    /// The address other nodes use for this one's exchange endpoint and Akka remoting. A node listening on
    /// every interface (0.0.0.0, in a container) advertises its own IP address unless told otherwise.
    /// </summary>
    public string AdvertisedHost => PublicHost ?? (Host is "0.0.0.0" or "::" ? OwnAddress() : Host);

    private static string OwnAddress() =>
        System.Net.Dns.GetHostAddresses(System.Net.Dns.GetHostName())
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a))?.ToString()
        ?? "127.0.0.1";

    public NodeOptions Validate()
    {
        if (Roles.Count == 0)
        {
            throw new SettingsException("--role", "give at least one role: coordinator, worker or data (comma separated to combine)");
        }

        foreach (var role in Roles)
        {
            if (!KnownRoles.Contains(role, StringComparer.Ordinal))
            {
                throw new SettingsException("--role", $"'{role}' is not one of coordinator, worker, data");
            }
        }

        if (Port is < 0 or > 65535)
        {
            throw new SettingsException("--port", $"must be 0 (any free port) to 65535 (got {Port})");
        }

        if (ManagementPort is < 0 or > 65535)
        {
            throw new SettingsException("--management-port", $"must be 0 (any free port) to 65535 (got {ManagementPort})");
        }

        foreach (var seed in SeedNodes)
        {
            if (!seed.StartsWith("akka.tcp://", StringComparison.Ordinal))
            {
                throw new SettingsException("--seed-nodes", $"'{seed}' is not an Akka address (example: akka.tcp://{SystemName}@10.0.0.5:4053)");
            }
        }

        if (SeedNodes.Count == 0 && !Has(CoordinatorRole) && Kubernetes is null)
        {
            throw new SettingsException("--seed-nodes", "a node without the coordinator role must be given the address of a node to join (example: akka.tcp://clustertrainer@coordinator:4053)");
        }

        return this;
    }
}

/// <summary>How a node finds its peers in Kubernetes: pods matching a label selector, reached on the management port.</summary>
public sealed record KubernetesDiscovery(string LabelSelector, string? Namespace, int RequiredContacts, int ManagementPort);
