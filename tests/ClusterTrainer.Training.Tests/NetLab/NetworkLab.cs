using System.Globalization;
using System.Text;

namespace ClusterTrainer.Training.Tests.NetLab;

/// <summary>
/// A small network of emulated hosts on this machine, for tests that need real addresses, names and links:
/// each host is a network namespace with one veth link (eth0) to a bridge that lives in a namespace of its own,
/// never on the host's interfaces. Hosts get addresses from 198.19.0.0/24 (the block this suite may use; every
/// lab has its own bridge, so labs never see each other) and names through /etc/netns/NAME/hosts, which
/// `ip netns exec` puts in place of /etc/hosts. A host's link can be shaped (tc tbf), cut and healed.
/// Everything is removed on dispose, and what a crashed run left behind is removed by the next one.
/// </summary>
/// <remarks>Needs root, iproute2 (ip, tc), util-linux (unshare, setpriv) and overlayfs: <see cref="Unavailable"/> says what is missing.</remarks>
public sealed class NetworkLab : IDisposable
{
    public const string NamePrefix = "ctk8s-";
    private const string Subnet = "198.19.0";

    private readonly List<LabHost> _hosts = [];
    private int _added;
    private readonly string _bridge;
    private bool _disposed;

    private NetworkLab(string id)
    {
        Id = id;
        _bridge = $"{NamePrefix}{id}-br";
        Shell.Run("ip", "netns", "add", _bridge);
        Shell.Run("ip", "-n", _bridge, "link", "add", "br0", "type", "bridge");
        Shell.Run("ip", "-n", _bridge, "link", "set", "br0", "up");
    }

    /// <summary>Unique per lab: "p{process id}n{counter}", so the labs a dead test process left behind can be found.</summary>
    public string Id { get; }

    public IReadOnlyList<LabHost> Hosts => _hosts;

    /// <summary>Why a lab cannot run here (to skip the test with), or null when it can.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces need Linux";
        }

        if (Environment.UserName != "root")
        {
            return $"network namespaces and mounts need root (running as {Environment.UserName}); CI runs the tests as root";
        }

        var missing = new[] { "ip", "tc", "unshare", "setpriv", "chroot" }.Where(program => !Shell.Has(program)).ToList();
        if (missing.Count > 0)
        {
            return $"missing {string.Join(", ", missing)} (Debian: apt-get install iproute2 util-linux coreutils)";
        }

        return File.ReadAllText("/proc/filesystems").Contains("overlay", StringComparison.Ordinal) ? null : "the kernel has no overlayfs";
    }

    public static NetworkLab Create()
    {
        RemoveStaleLabs();
        return new NetworkLab(string.Create(CultureInfo.InvariantCulture, $"p{Environment.ProcessId}n{Interlocked.Increment(ref _labs)}"));
    }

    private static int _labs;

    /// <summary>Adds a host: its namespace, its link to the bridge, its address (198.19.0.N/24, never one a removed host had).</summary>
    public LabHost AddHost(string label)
    {
        var index = ++_added;
        if (index > 250)
        {
            throw new InvalidOperationException("a lab adds at most 250 hosts");
        }

        var host = new LabHost(this, label, $"{NamePrefix}{Id}-{index}", $"{Subnet}.{index + 1}", $"v{index}");
        Shell.Run("ip", "netns", "add", host.Namespace);
        Shell.Run("ip", "-n", _bridge, "link", "add", host.BridgePort, "type", "veth", "peer", "name", "eth0", "netns", host.Namespace);
        Shell.Run("ip", "-n", _bridge, "link", "set", host.BridgePort, "master", "br0");
        Shell.Run("ip", "-n", _bridge, "link", "set", host.BridgePort, "up");
        Shell.Run("ip", "-n", host.Namespace, "addr", "add", $"{host.Address}/24", "dev", "eth0");
        Shell.Run("ip", "-n", host.Namespace, "link", "set", "eth0", "up");
        Shell.Run("ip", "-n", host.Namespace, "link", "set", "lo", "up");
        Directory.CreateDirectory(host.EtcDirectory);
        _hosts.Add(host);
        WriteHostsFiles(new Dictionary<string, IReadOnlyList<string>>());
        return host;
    }

    /// <summary>Removes a host (its processes must have ended): its namespace, link and files.</summary>
    public void RemoveHost(LabHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (_hosts.Remove(host))
        {
            Shell.TryRun("ip", "netns", "del", host.Namespace);
            Shell.TryRun("ip", "-n", _bridge, "link", "del", host.BridgePort);
            DeleteDirectory(host.EtcDirectory);
        }
    }

    /// <summary>
    /// Writes every host's hosts file: localhost, its own label, and the given extra names per address (DNS).
    /// The files are rewritten in place, so processes already running see the change at their next lookup.
    /// </summary>
    public void WriteHostsFiles(IReadOnlyDictionary<string, IReadOnlyList<string>> namesByAddress)
    {
        ArgumentNullException.ThrowIfNull(namesByAddress);
        foreach (var host in _hosts)
        {
            var text = new StringBuilder("127.0.0.1 localhost\n");
            text.Append(host.Address).Append(' ').Append(host.Label).Append('\n');
            foreach (var (address, names) in namesByAddress.Where(pair => pair.Value.Count > 0))
            {
                text.Append(address).Append(' ').Append(string.Join(' ', names)).Append('\n');
            }

            // In place, not replaced: `ip netns exec` bind-mounted this very file over the processes' /etc/hosts.
            using var file = new FileStream(host.HostsFile, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
            file.SetLength(0);
            file.Write(Encoding.ASCII.GetBytes(text.ToString()));
        }
    }

    /// <summary>Cuts the host's link (its processes stay up, unreachable); <see cref="Heal"/> restores it.</summary>
    public void Partition(LabHost host) => Shell.Run("ip", "-n", _bridge, "link", "set", host.BridgePort, "down");

    public void Heal(LabHost host) => Shell.Run("ip", "-n", _bridge, "link", "set", host.BridgePort, "up");

    /// <summary>Limits the host's outgoing rate, e.g. "1gbit" (tc tbf; this kernel has no netem for delay or loss).</summary>
    public void Shape(LabHost host, string rate)
    {
        ArgumentNullException.ThrowIfNull(host);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Shell.Run("ip", "netns", "exec", host.Namespace, "tc", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", rate, "burst", "256kb", "latency", "50ms");
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var host in _hosts.ToList())
        {
            RemoveHost(host);
        }

        Shell.TryRun("ip", "netns", "del", _bridge);
    }

    /// <summary>Labs whose test process is gone (killed mid-run) are removed before a new one starts.</summary>
    private static void RemoveStaleLabs()
    {
        var (_, list) = Shell.TryRun("ip", "netns", "list");
        var names = list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ')[0])
            .Concat(Directory.Exists("/etc/netns") ? Directory.GetDirectories("/etc/netns").Select(Path.GetFileName).OfType<string>() : [])
            .Where(name => name.StartsWith(NamePrefix, StringComparison.Ordinal))
            .Distinct();
        foreach (var name in names)
        {
            var id = name[NamePrefix.Length..].Split('-')[0];
            var separator = id.IndexOf('n', StringComparison.Ordinal);
            if (id.StartsWith('p') && separator > 1 && int.TryParse(id[1..separator], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && !Directory.Exists($"/proc/{pid}"))
            {
                Shell.TryRun("ip", "netns", "del", name);
                DeleteDirectory(Path.Combine("/etc/netns", name));
            }
        }
    }

    private static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}

/// <summary>One emulated host of a <see cref="NetworkLab"/>: a network namespace with eth0 on the lab's bridge.</summary>
public sealed record LabHost(NetworkLab Lab, string Label, string Namespace, string Address, string BridgePort)
{
    public string EtcDirectory => Path.Combine("/etc/netns", Namespace);

    /// <summary>What processes in this namespace see as /etc/hosts.</summary>
    public string HostsFile => Path.Combine(EtcDirectory, "hosts");
}
