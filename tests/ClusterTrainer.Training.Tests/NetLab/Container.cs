using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ClusterTrainer.Training.Tests.NetLab;

/// <summary>A directory of this machine mounted into a container at a fixed path.</summary>
public sealed record ContainerMount(string Source, string Target, bool ReadOnly);

/// <summary>
/// What runs in a container: its command and whole environment, the directories mounted into it, whether its root
/// file system is read-only, and the user it runs as (null: root).
/// </summary>
public sealed record ContainerSpec(
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<ContainerMount> Mounts,
    bool ReadOnlyRoot = false,
    int? User = null,
    int? Group = null,
    IReadOnlyList<int>? SupplementaryGroups = null);

/// <summary>
/// Starts processes on a lab host. A plain process just runs in the host's network namespace. A container also
/// gets a mount namespace of its own whose root is an overlay of this machine's root (writes go to a tmpfs and
/// vanish with it), with its mounts at their fixed paths and its own /etc/hosts: files a container needs at
/// fixed paths (a mounted Secret, /runs) never appear on this machine's file system.
/// </summary>
public static class LabProcesses
{
    /// <summary>Runs a program in the host's network namespace (with the host's hosts file), as this user.</summary>
    public static LabProcess Start(LabHost host, IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null) =>
        Start(host, command, environment, rootDirectory: null);

    private static LabProcess Start(LabHost host, IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment, string? rootDirectory)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(command);
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", host.Namespace }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new LabProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {command[0]} in {host.Namespace}"), rootDirectory);
    }

    /// <summary>Runs a container on the host. The process id is the container's main process (every step execs).</summary>
    public static LabProcess StartContainer(LabHost host, ContainerSpec container)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(container);
        var root = Directory.CreateTempSubdirectory($"{NetworkLab.NamePrefix}root-").FullName;
        var script = new StringBuilder("set -e\n");
        script.Append(CultureInfo.InvariantCulture, $"R={Quote(root)}\n");
        script.Append("mount -t tmpfs -o mode=755 ctk8s-root \"$R\"\n");
        script.Append("mkdir \"$R/upper\" \"$R/work\" \"$R/root\"\n");
        script.Append("mount -t overlay overlay -o \"lowerdir=/,upperdir=$R/upper,workdir=$R/work\" \"$R/root\"\n");
        script.Append("mount --rbind /dev \"$R/root/dev\"\n");
        script.Append("mount -t proc proc \"$R/root/proc\"\n");
        script.Append("mount --rbind /sys \"$R/root/sys\"\n");
        script.Append(CultureInfo.InvariantCulture, $"mount --bind {Quote(host.HostsFile)} \"$R/root/etc/hosts\"\n");
        foreach (var mount in container.Mounts)
        {
            // Paths are resolved as they are inside the root (/var/run is a link to /run), so nothing lands outside it.
            var target = Quote(ResolveInRoot(mount.Target));
            script.Append(CultureInfo.InvariantCulture, $"mkdir -p \"$R/root\"{target}\n");
            script.Append(CultureInfo.InvariantCulture, $"mount --bind {Quote(mount.Source)} \"$R/root\"{target}\n");
            if (mount.ReadOnly)
            {
                script.Append(CultureInfo.InvariantCulture, $"mount -o remount,bind,ro \"$R/root\"{target}\n");
            }
        }

        if (container.ReadOnlyRoot)
        {
            script.Append("mount -o remount,bind,ro \"$R/root\"\n");
        }

        var command = new List<string> { "chroot", "$R/root" };
        if (container.User is { } user)
        {
            command.AddRange(["setpriv", $"--reuid={user}", $"--regid={container.Group ?? user}", "--no-new-privs"]);
            command.Add(container.SupplementaryGroups is { Count: > 0 } groups ? $"--groups={string.Join(',', groups)}" : "--clear-groups");
            command.Add("--");
        }

        command.AddRange(["env", "-i"]);
        command.AddRange(container.Environment.Select(pair => $"{pair.Key}={pair.Value}"));
        command.AddRange(container.Command);
        script.Append("exec ").AppendJoin(' ', command.Select(word => word == "$R/root" ? "\"$R/root\"" : Quote(word))).Append('\n');

        return Start(host, ["unshare", "--mount", "--propagation", "private", "sh", "-c", script.ToString()], null, root);
    }

    /// <summary>A path inside a root that is this machine's root: symbolic links followed as they resolve there.</summary>
    public static string ResolveInRoot(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var resolved = "/";
        var pending = new Queue<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries));
        for (var hops = 0; pending.Count > 0 && hops < 64;)
        {
            var candidate = Path.Combine(resolved, pending.Dequeue());
            var link = new FileInfo(candidate).LinkTarget;
            if (link is null)
            {
                resolved = candidate;
                continue;
            }

            hops++;
            var rest = pending.ToArray();
            pending = new Queue<string>(link.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest));
            if (link.StartsWith('/'))
            {
                resolved = "/";
            }
        }

        return resolved;
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>A process started in a lab host, with everything it wrote to stdout and stderr.</summary>
public sealed class LabProcess
{
    private readonly StringBuilder _output = new();

    public LabProcess(Process process, string? rootDirectory)
    {
        Process = process;
        RootDirectory = rootDirectory;
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>The host directory a container's root tmpfs was mounted on; empty, and removed, once it ended.</summary>
    public string? RootDirectory { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public void Signal(string signal) => Shell.TryRun("kill", $"-{signal}", Process.Id.ToString(CultureInfo.InvariantCulture));

    /// <summary>Frees what the process left on this machine (its root's mount point), once it has ended.</summary>
    public void Clean()
    {
        if (RootDirectory is { } root && Process.HasExited && Directory.Exists(root))
        {
            Directory.Delete(root, recursive: false);
        }
    }

    private void Append(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(e.Data);
        }
    }
}
