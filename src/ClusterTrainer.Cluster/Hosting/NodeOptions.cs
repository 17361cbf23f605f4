using ClusterTrainer.Core;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>Where a cluster node listens, how others reach it, which roles it plays and whom it joins.</summary>
public sealed record NodeOptions(IReadOnlyList<string> Roles, string Host, int Port, string? PublicHost, IReadOnlyList<string> SeedNodes)
{
    /// <summary>Akka remoting over TLS with the certificate the cluster's nodes share; null for plain TCP.</summary>
    public RemotingTls? Tls { get; init; }

    /// <summary>
    /// The HTTP/1.1 port serving /ready and /alive for probes, /metrics, and a coordinator's dashboard; 0 = any free
    /// port, null = none.
    /// </summary>
    public int? ManagementPort { get; init; }

    /// <summary>
    /// How long a node that is not founding the cluster keeps trying its seed nodes before it gives up and exits
    /// (so that its supervisor, Kubernetes or compose, restarts it).
    /// </summary>
    public TimeSpan JoinTimeout { get; init; } = DefaultJoinTimeout;

    public static readonly TimeSpan DefaultJoinTimeout = TimeSpan.FromSeconds(120);

    public const string SystemName = "clustertrainer";
    public const string CoordinatorRole = "coordinator";
    public const string WorkerRole = "worker";

    /// <summary>
    /// A role earlier versions accepted that placed nothing (every job's data shards live on the coordinator node, which
    /// loads the job's data): refused by name, so a deployment that still gives it learns what to change.
    /// </summary>
    public const string RemovedDataRole = "data";

    public static readonly IReadOnlyList<string> KnownRoles = [CoordinatorRole, WorkerRole];

    public bool Has(string role) => Roles.Contains(role, StringComparer.Ordinal);

    /// <summary>
    /// The address other nodes use for this one's exchange endpoint and Akka remoting. A node listening on
    /// every interface (0.0.0.0, in a container) advertises its own IP address unless told otherwise.
    /// </summary>
    public string AdvertisedHost => PublicHost ?? (Host is "0.0.0.0" or "::" ? OwnAddress() : Host);

    /// <summary>The protocol of this node's Akka addresses: remoting over TLS has a scheme of its own.</summary>
    public string Protocol => Tls is null ? "akka.tcp" : "akka.ssl.tcp";

    /// <summary>This node's Akka address as seed lists spell it (known only when the port is fixed).</summary>
    public string? OwnSeedAddress => Port == 0 ? null : $"{Protocol}://{SystemName}@{AdvertisedHost}:{Port}";

    private static string OwnAddress() =>
        System.Net.Dns.GetHostAddresses(System.Net.Dns.GetHostName())
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a))?.ToString()
        ?? "127.0.0.1";

    public NodeOptions Validate()
    {
        if (Roles.Count == 0)
        {
            throw new SettingsException("--role", "give at least one role: coordinator or worker (comma separated to combine)");
        }

        foreach (var role in Roles)
        {
            if (role == RemovedDataRole)
            {
                throw new SettingsException("--role", "the data role was removed: it placed nothing, since a job's data shards live on the coordinator node, which loads its data. Give 'coordinator' where you gave 'coordinator,data' ($CLUSTERTRAINER_ROLES in containers)");
            }

            if (!KnownRoles.Contains(role, StringComparer.Ordinal))
            {
                throw new SettingsException("--role", $"'{role}' is not one of coordinator, worker");
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

        if (JoinTimeout <= TimeSpan.Zero)
        {
            throw new SettingsException("--join-timeout", $"must be at least 1 second (got {JoinTimeout.TotalSeconds:0.###})");
        }

        foreach (var seed in SeedNodes)
        {
            var protocol = seed.StartsWith("akka.tcp://", StringComparison.Ordinal) ? "akka.tcp"
                : seed.StartsWith("akka.ssl.tcp://", StringComparison.Ordinal) ? "akka.ssl.tcp"
                : throw new SettingsException("--seed-nodes", $"'{seed}' is not an Akka address (example: {Protocol}://{SystemName}@10.0.0.5:4053)");
            if (protocol != Protocol)
            {
                // Akka names the transport in the address: a TLS node cannot even dial an akka.tcp address, and back.
                throw new SettingsException("--seed-nodes", Tls is null
                    ? $"'{seed}' is a TLS address (akka.ssl.tcp) but this node has no remoting certificate: give it --tls-cert and --tls-key, or seed it with akka.tcp://"
                    : $"'{seed}' is a plain TCP address but this node speaks TLS (--tls-cert): write it as {Protocol}://{seed["akka.tcp://".Length..]}");
            }
        }

        if (!Has(CoordinatorRole))
        {
            if (SeedNodes.Count == 0)
            {
                throw new SettingsException("--seed-nodes", "a node without the coordinator role must be given the address of a node to join (example: akka.tcp://clustertrainer@coordinator:4053)");
            }

            // Akka lets a node whose own address is the first seed found a cluster of its own; only the coordinator may.
            if (OwnSeedAddress is { } own && SeedNodes.Contains(own, StringComparer.Ordinal))
            {
                throw new SettingsException("--seed-nodes", $"'{own}' is this node's own address: only a coordinator founds the cluster, so give a worker the coordinator's address");
            }
        }

        return this;
    }
}
