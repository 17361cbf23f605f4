using System.Diagnostics;
using System.Globalization;
using ClusterTrainer.Cli.Processes;

namespace ClusterTrainer.Cli.NetLab;

/// <summary>
/// Emulated nodes with real links, for `bench --exchange --netlab`: each node is a network namespace with one veth
/// link (eth0) to a bridge in a namespace of its own (never this machine's interfaces), its outgoing rate shaped with
/// tc tbf, so every node sends and receives at most the link rate as on a switch. Addresses come from 198.19.33.0/24
/// (this project's 198.19.32.0/20 block of the benchmarking range; every lab has its own bridge, so labs never meet).
/// Disposing removes everything; labs that a killed run left behind are removed by the next one.
/// The same topology by hand: tests/netlab/netlab.sh.
/// </summary>
public sealed class LinkLab : IDisposable
{
    public const string NamePrefix = "ctlab-b";
    private const string Subnet = "198.19.33";
    private static readonly string[] RequiredPrograms = ["ip", "tc"];
    private static int _labs;

    private readonly string _bridge;
    private readonly List<string> _namespaces = [];
    private bool _disposed;

    private LinkLab(string id, int nodes, LinkRate rate)
    {
        _bridge = $"{NamePrefix}{id}-br";
        Rate = rate;
        try
        {
            Create(_bridge);
            LabShell.Run("ip", "-n", _bridge, "link", "add", "br0", "type", "bridge");
            LabShell.Run("ip", "-n", _bridge, "link", "set", "br0", "up");
            for (var index = 1; index <= nodes; index++)
            {
                var node = new LabNode($"{NamePrefix}{id}-{index}", $"{Subnet}.{index + 1}");
                Create(node.Namespace);
                LabShell.Run("ip", "-n", _bridge, "link", "add", $"v{index}", "type", "veth", "peer", "name", "eth0", "netns", node.Namespace);
                LabShell.Run("ip", "-n", _bridge, "link", "set", $"v{index}", "master", "br0");
                LabShell.Run("ip", "-n", _bridge, "link", "set", $"v{index}", "up");
                LabShell.Run("ip", "-n", node.Namespace, "addr", "add", $"{node.Address}/24", "dev", "eth0");
                LabShell.Run("ip", "-n", node.Namespace, "link", "set", "eth0", "up");
                LabShell.Run("ip", "-n", node.Namespace, "link", "set", "lo", "up");
                Shape(node, rate);
                Nodes.Add(node);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public List<LabNode> Nodes { get; } = [];

    public LinkRate Rate { get; }

    /// <summary>Why a lab cannot be made here (with how to get what is missing), or null when it can.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces need Linux";
        }

        if (Environment.UserName != "root")
        {
            return $"network namespaces need root (running as {Environment.UserName})";
        }

        var missing = RequiredPrograms.Where(program => !LabShell.Has(program)).ToList();
        return missing.Count > 0 ? $"missing {string.Join(", ", missing)} (Debian: apt-get install iproute2)" : null;
    }

    /// <summary>
    /// As <see cref="Unavailable"/>, and also whether this kernel can shape a link (tc tbf), tried on a veth pair in a
    /// namespace made for the probe and removed at once.
    /// </summary>
    public static string? ShapingUnavailable()
    {
        if (Unavailable() is { } reason)
        {
            return reason;
        }

        var probe = string.Create(CultureInfo.InvariantCulture, $"{NamePrefix}{Environment.ProcessId}nprobe");
        try
        {
            LabShell.Run("ip", "netns", "add", probe);
            LabShell.Run("ip", "-n", probe, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1");
            var (code, output) = LabShell.TryRun("ip", "netns", "exec", probe, "tc", "qdisc", "add", "dev", "probe0", "root", "tbf", "rate", "1gbit", "burst", "256kb", "latency", "50ms");
            return code == 0 ? null : $"this kernel cannot shape a link with tc tbf ({output.Trim()})";
        }
        catch (LabUnavailableException error)
        {
            return error.Message;
        }
        finally
        {
            LabShell.TryRun("ip", "netns", "del", probe);
        }
    }

    /// <exception cref="LabUnavailableException">The lab cannot be made here: the message says why.</exception>
    public static LinkLab Create(int nodes, LinkRate rate)
    {
        ArgumentNullException.ThrowIfNull(rate);
        if (Unavailable() is { } reason)
        {
            throw new LabUnavailableException(reason);
        }

        RemoveStaleLabs();
        return new LinkLab(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}n{Interlocked.Increment(ref _labs)}"), nodes, rate);
    }

    /// <summary>Starts this program (`clustertrainer ARGS`) in a node, its output collected.</summary>
    public static LabProcess Start(LabNode node, IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(node);
        var self = WorkerProcesses.SelfCommand(arguments);
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "netns", "exec", node.Namespace, self.FileName }.Concat(self.ArgumentList))
        {
            start.ArgumentList.Add(argument);
        }

        return new LabProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start a process in {node.Namespace}"));
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var name in _namespaces.AsEnumerable().Reverse())
        {
            Remove(name);
        }
    }

    private void Create(string name)
    {
        LabShell.Run("ip", "netns", "add", name);
        _namespaces.Add(name);
    }

    // tbf needs a burst of at least what the rate sends in a timer tick; 1 ms of the rate, never under 256 KiB.
    private static void Shape(LabNode node, LinkRate rate)
    {
        var rateText = rate.BitsPerSecond.ToString("F0", CultureInfo.InvariantCulture) + "bit";
        if (rate.Delay is { } delay)
        {
            var (code, output) = LabShell.TryRun("ip", "netns", "exec", node.Namespace, "tc", "qdisc", "replace", "dev", "eth0", "root", "netem", "delay", delay, "rate", rateText, "limit", "100000");
            if (code != 0)
            {
                throw new LabUnavailableException($"this kernel cannot emulate a delay (tc netem: {output.Trim()}); give the rate alone, e.g. --netlab {rate.Text}");
            }

            return;
        }

        var burst = Math.Max(256 * 1024, (long)(rate.BytesPerSecond / 1000));
        var (tbfCode, tbfOutput) = LabShell.TryRun("ip", "netns", "exec", node.Namespace, "tc", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", rateText,
            "burst", burst.ToString(CultureInfo.InvariantCulture), "latency", "50ms");
        if (tbfCode != 0)
        {
            throw new LabUnavailableException($"this kernel cannot shape a link with tc tbf: {tbfOutput.Trim()}");
        }
    }

    private static void Remove(string name)
    {
        // Whatever still runs in the namespace was started by this program (peers that did not exit): end it first.
        var (_, pids) = LabShell.TryRun("ip", "netns", "pids", name);
        foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            LabShell.TryRun("kill", "-KILL", pid);
        }

        LabShell.TryRun("ip", "netns", "del", name);
    }

    private static void RemoveStaleLabs()
    {
        var (_, list) = LabShell.TryRun("ip", "netns", "list");
        foreach (var name in list.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => line.Split(' ')[0]))
        {
            if (!name.StartsWith(NamePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var id = name[NamePrefix.Length..].Split('n')[0];
            if (int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !Directory.Exists($"/proc/{pid}"))
            {
                Remove(name);
            }
        }
    }
}

/// <summary>One emulated node: its network namespace and its address on the lab's bridge.</summary>
public sealed record LabNode(string Namespace, string Address);
