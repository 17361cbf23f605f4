using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ClusterTrainer.Training.Tests.NetLab;
using YamlDotNet.RepresentationModel;

namespace ClusterTrainer.Training.Tests.Kubernetes;

/// <summary>
/// Just enough of Kubernetes to run the rendered manifests' pods on this machine, with no API server: each pod a
/// host of a <see cref="NetworkLab"/> (its own IP), running the image's entrypoint with the environment the
/// kubelet would give it (image ENV, service links, envFrom, env with $(VAR) expansion and downward-API fields),
/// its volumes at their paths (Secrets the test supplies, emptyDirs, claims that outlive the pod), its user,
/// groups and read-only root, and restarted whenever it exits (restartPolicy Always). Names resolve like cluster
/// DNS: pods, services, and StatefulSet pods' stable names.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed partial class EmulatedKubernetes : IAsyncDisposable
{
    public const string Namespace = "clustertrainer";

    private readonly RenderedManifests _manifests;
    private readonly ImageConfig _image;
    private readonly string _appDirectory;
    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> _secrets;
    private readonly NetworkLab _lab = NetworkLab.Create();
    private readonly string _storage = Directory.CreateTempSubdirectory("ctk8s-cluster-").FullName;
    private readonly List<EmulatedPod> _pods = [];
    private readonly Dictionary<string, string> _addresses = new(StringComparer.Ordinal);

    /// <param name="appDirectory">The build output to run where the image has its application (/app).</param>
    /// <param name="secrets">The Secrets users create themselves: name, then key and content.</param>
    public EmulatedKubernetes(RenderedManifests manifests, ImageConfig image, string appDirectory, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> secrets)
    {
        _manifests = manifests;
        _image = image;
        _appDirectory = appDirectory;
        _secrets = secrets;
        File.SetUnixFileMode(_storage, (UnixFileMode)0b111_101_101);
        Client = _lab.AddHost("client");
    }

    /// <summary>A host outside the pods (a user's machine in the cluster network), for the CLI and probes.</summary>
    public LabHost Client { get; }

    public IReadOnlyList<EmulatedPod> Pods => _pods;

    /// <summary>Starts one pod of a workload (StatefulSet: its ordinal-0 name, the same again after a delete; Deployment: a new random name).</summary>
    public EmulatedPod StartPod(string kind, string workload)
    {
        var workloadObject = _manifests.Find(kind, workload);
        var template = workloadObject.At("spec", "template")!;
        var name = kind == "StatefulSet" ? $"{workload}-0" : $"{workload}-{RandomSuffix()}";
        var host = _lab.AddHost(name);
        var labels = template.Pairs("metadata", "labels");
        var pod = new EmulatedPod(name, workloadObject, labels, host);
        _pods.Add(pod);
        RefreshDns();
        pod.Start(BuildContainer(pod, template));
        return pod;
    }

    /// <summary>
    /// Deletes a pod as the API server and kubelet do: SIGTERM, then SIGKILL after its grace period (graceful), or
    /// at once (the node it ran on died); its address and names go away.
    /// </summary>
    public async Task DeletePodAsync(EmulatedPod pod, bool graceful)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var grace = TimeSpan.FromSeconds(int.Parse(pod.Workload.Text("spec", "template", "spec", "terminationGracePeriodSeconds") ?? "30", CultureInfo.InvariantCulture));
        await pod.StopAsync(graceful ? grace : TimeSpan.Zero);
        _pods.Remove(pod);
        _lab.RemoveHost(pod.Host);
        RefreshDns();
    }

    /// <summary>Where a PersistentVolumeClaim's data lives on this machine.</summary>
    public string ClaimDirectory(string claim) => Path.Combine(_storage, "claims", claim);

    public void Partition(EmulatedPod pod) => _lab.Partition(pod.Host);

    public void Heal(EmulatedPod pod) => _lab.Heal(pod.Host);

    /// <summary>A name as cluster DNS answers it here (first address), or an address as is.</summary>
    public string Resolve(string name) =>
        _addresses.TryGetValue(name, out var address) ? address
        : System.Net.IPAddress.TryParse(name, out _) ? name
        : throw new InvalidOperationException($"'{name}' does not resolve in the emulated cluster");

    /// <summary>Runs `clustertrainer ARGS` on the client host, as a user's command would.</summary>
    public async Task<(int Code, string Output)> RunClientAsync(TimeSpan timeout, params string[] arguments)
    {
        var process = LabProcesses.Start(Client, ["dotnet", Path.Combine(_appDirectory, "clustertrainer.dll"), .. arguments]);
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.Process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Process.Kill(entireProcessTree: true);
            return (-1, $"`clustertrainer {string.Join(' ', arguments)}` did not finish within {timeout.TotalSeconds:0} s:\n{process.Output}");
        }

        // The exit event can come before the last lines of output are read.
        process.Process.WaitForExit();
        return (process.Process.ExitCode, process.Output);
    }

    /// <summary>Everything each pod wrote, for a failing assertion's message.</summary>
    public string Describe() => string.Join("\n", _pods.Select(pod => pod.Describe()));

    public async ValueTask DisposeAsync()
    {
        foreach (var pod in _pods.ToList())
        {
            await pod.StopAsync(TimeSpan.Zero);
        }

        _lab.Dispose();
        Directory.Delete(_storage, recursive: true);
    }

    private ContainerSpec BuildContainer(EmulatedPod pod, YamlNode template)
    {
        var spec = template.At("spec");
        var container = spec.Items("containers")[0];
        var podSecurity = spec.At("securityContext");
        var containerSecurity = container.At("securityContext");
        int? Number(string key) => (containerSecurity.Text(key) ?? podSecurity.Text(key)) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;
        var fsGroup = podSecurity.Text("fsGroup") is { } group ? int.Parse(group, CultureInfo.InvariantCulture) : (int?)null;

        var mounts = new List<ContainerMount> { new(_appDirectory, _image.AppDirectory, ReadOnly: true) };
        foreach (var mount in container.Items("volumeMounts"))
        {
            var volume = spec.Items("volumes").FirstOrDefault(v => v.Text("name") == mount.Text("name"));
            var source = volume is null ? ClaimFromTemplate(pod, mount.Text("name")!, fsGroup) : VolumeSource(pod, volume, fsGroup);
            mounts.Add(new ContainerMount(source, mount.Text("mountPath")!, mount.Text("readOnly") == "true"));
        }

        var command = container.Items("command").Count > 0 ? container.Items("command").Select(c => c.Text()!).ToList() : _image.Entrypoint.ToList();
        command.AddRange(container.Items("args").Select(a => a.Text()!));
        return new ContainerSpec(
            command,
            Environment(pod, spec, container),
            mounts,
            ReadOnlyRoot: containerSecurity.Text("readOnlyRootFilesystem") == "true",
            User: Number("runAsUser"),
            Group: Number("runAsGroup"),
            SupplementaryGroups: fsGroup is { } g ? [g] : null);
    }

    /// <summary>The container's environment, in the kubelet's order: image, service links, envFrom, env (with $(VAR) expansion).</summary>
    private Dictionary<string, string> Environment(EmulatedPod pod, YamlNode? spec, YamlNode container)
    {
        var environment = new Dictionary<string, string>(_image.Environment, StringComparer.Ordinal) { ["HOSTNAME"] = pod.Name };
        var defined = new Dictionary<string, string>(StringComparer.Ordinal);
        if (spec.Text("enableServiceLinks") != "false")
        {
            foreach (var (name, value) in ServiceLinks())
            {
                defined[name] = value;
            }
        }

        foreach (var source in container.Items("envFrom"))
        {
            if (source.Text("configMapRef", "name") is { } configMap)
            {
                foreach (var (name, value) in _manifests.Find("ConfigMap", configMap).Pairs("data"))
                {
                    defined[name] = value;
                }
            }
        }

        foreach (var variable in container.Items("env"))
        {
            var name = variable.Text("name")!;
            defined[name] = variable.Text("value") is { } value ? Expand(value, defined)
                : variable.Text("valueFrom", "fieldRef", "fieldPath") is { } field ? Field(pod, field)
                : variable.Text("valueFrom", "secretKeyRef", "name") is { } secret ? SecretValue(secret, variable.Text("valueFrom", "secretKeyRef", "key")!)
                : variable.Text("valueFrom", "configMapKeyRef", "name") is { } map ? _manifests.Find("ConfigMap", map).Pairs("data")[variable.Text("valueFrom", "configMapKeyRef", "key")!]
                : throw new NotSupportedException($"{pod.Name}: env {name} uses a source this emulation does not know");
        }

        foreach (var (name, value) in defined)
        {
            environment[name] = value;
        }

        return environment;
    }

    private static string Field(EmulatedPod pod, string path) => path switch
    {
        "metadata.name" => pod.Name,
        "metadata.namespace" => Namespace,
        "status.podIP" => pod.Host.Address,
        _ => throw new NotSupportedException($"{pod.Name}: the downward-API field {path} is not emulated"),
    };

    /// <summary>Kubernetes' $(VAR) references: replaced when VAR was defined before, kept otherwise; $$ escapes.</summary>
    private static string Expand(string value, Dictionary<string, string> defined) =>
        Reference().Replace(value, match => match.Value.StartsWith("$$", StringComparison.Ordinal) ? match.Value[1..]
            : defined.TryGetValue(match.Groups["name"].Value, out var found) ? found : match.Value);

    /// <summary>The variables the kubelet adds for every Service with a cluster IP (the classic Docker links).</summary>
    private IEnumerable<(string Name, string Value)> ServiceLinks()
    {
        var services = _manifests.OfKind("Service").Where(s => s.Text("spec", "clusterIP") != "None").ToList();
        for (var i = 0; i < services.Count; i++)
        {
            var prefix = services[i].Text("metadata", "name")!.ToUpperInvariant().Replace('-', '_');
            var ip = $"10.96.0.{i + 10}";
            var ports = services[i].Items("spec", "ports");
            var first = ports[0].Text("port")!;
            yield return ($"{prefix}_SERVICE_HOST", ip);
            yield return ($"{prefix}_SERVICE_PORT", first);
            yield return ($"{prefix}_PORT", $"tcp://{ip}:{first}");
            foreach (var port in ports)
            {
                var number = port.Text("port")!;
                if (port.Text("name") is { } portName)
                {
                    yield return ($"{prefix}_SERVICE_PORT_{portName.ToUpperInvariant().Replace('-', '_')}", number);
                }

                yield return ($"{prefix}_PORT_{number}_TCP", $"tcp://{ip}:{number}");
                yield return ($"{prefix}_PORT_{number}_TCP_PROTO", "tcp");
                yield return ($"{prefix}_PORT_{number}_TCP_PORT", number);
                yield return ($"{prefix}_PORT_{number}_TCP_ADDR", ip);
            }
        }

        yield return ("KUBERNETES_SERVICE_HOST", "10.96.0.1");
        yield return ("KUBERNETES_SERVICE_PORT", "443");
    }

    private string SecretValue(string secret, string key) =>
        _secrets.TryGetValue(secret, out var keys) && keys.TryGetValue(key, out var value) ? value
        : throw new InvalidOperationException($"Secret {secret} (key {key}) does not exist: the pod would wait in CreateContainerConfigError");

    private string VolumeSource(EmulatedPod pod, YamlNode volume, int? fsGroup)
    {
        var name = volume.Text("name")!;
        if (volume.Text("secret", "secretName") is { } secret)
        {
            var keys = _secrets.TryGetValue(secret, out var found) ? found
                : throw new InvalidOperationException($"Secret {secret} does not exist: pod {pod.Name} would wait in ContainerCreating");
            var mode = volume.Text("secret", "defaultMode") is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : 420;
            var directory = NewDirectory("secrets", pod.Name, name);
            foreach (var (key, content) in keys)
            {
                var file = Path.Combine(directory, key);
                File.WriteAllText(file, content);
                File.SetUnixFileMode(file, (UnixFileMode)mode);
                Chown(file, 0, fsGroup ?? 0);
            }

            return directory;
        }

        if (volume.At("emptyDir") is not null)
        {
            var directory = NewDirectory("empty", pod.Name, name);
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_111_111);
            return directory;
        }

        if (volume.Text("persistentVolumeClaim", "claimName") is { } claim)
        {
            return Claim(claim, fsGroup);
        }

        throw new NotSupportedException($"{pod.Name}: volume {name} is of a kind this emulation does not know");
    }

    /// <summary>A StatefulSet pod's claim from its volumeClaimTemplates: named TEMPLATE-POD, kept across the pod's restarts and deletes.</summary>
    private string ClaimFromTemplate(EmulatedPod pod, string template, int? fsGroup) =>
        pod.Workload.Items("spec", "volumeClaimTemplates").Any(t => t.Text("metadata", "name") == template)
            ? Claim($"{template}-{pod.Name}", fsGroup)
            : throw new InvalidOperationException($"{pod.Name}: volumeMount {template} names no volume and no claim template");

    private string Claim(string claim, int? fsGroup)
    {
        var directory = Path.Combine(_storage, "claims", claim);
        if (!Directory.Exists(directory))
        {
            NewDirectory("claims", claim);
            // The kubelet gives a volume to the pod's fsGroup, group-writable and setgid.
            Chown(directory, 0, fsGroup ?? 0);
            File.SetUnixFileMode(directory, fsGroup is null ? (UnixFileMode)0b111_111_111 : (UnixFileMode)0b10_111_111_101);
        }

        return directory;
    }

    private string NewDirectory(params string[] parts)
    {
        var path = _storage;
        foreach (var part in parts)
        {
            path = Path.Combine(path, part);
            Directory.CreateDirectory(path);
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }

        return path;
    }

    private static void Chown(string path, int user, int group) => Shell.Run("chown", $"{user}:{group}", path);

    /// <summary>Cluster DNS as hosts files: pods by name, StatefulSet pods by their stable names, Services by the pods they select.</summary>
    private void RefreshDns()
    {
        var names = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string address, string name)
        {
            if (!names.TryGetValue(address, out var list))
            {
                names[address] = list = [];
            }

            list.Add(name);
            _addresses.TryAdd(name, address);
        }

        _addresses.Clear();
        foreach (var pod in _pods)
        {
            Add(pod.Host.Address, pod.Name);
            if (pod.Workload.Text("kind") == "StatefulSet" && pod.Workload.Text("spec", "serviceName") is { } governing)
            {
                Add(pod.Host.Address, $"{pod.Name}.{governing}");
                Add(pod.Host.Address, $"{pod.Name}.{governing}.{Namespace}.svc.cluster.local");
            }
        }

        foreach (var service in _manifests.OfKind("Service"))
        {
            var selector = service.Pairs("spec", "selector");
            var name = service.Text("metadata", "name")!;
            foreach (var pod in _pods.Where(p => selector.Count > 0 && selector.All(pair => p.Labels.GetValueOrDefault(pair.Key) == pair.Value)))
            {
                Add(pod.Host.Address, name);
                Add(pod.Host.Address, $"{name}.{Namespace}.svc.cluster.local");
            }
        }

        _lab.WriteHostsFiles(names.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<string>)pair.Value, StringComparer.Ordinal));
    }

    private static string RandomSuffix() =>
        string.Concat(Enumerable.Range(0, 5).Select(_ => "bcdfghjklmnpqrstvwxz2456789"[Random.Shared.Next(27)]));

    [GeneratedRegex(@"\$?\$\((?<name>[A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Reference();
}

/// <summary>One emulated pod: its lab host, and its container, restarted whenever it exits until the pod is deleted.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class EmulatedPod(string name, YamlNode workload, IReadOnlyDictionary<string, string> labels, LabHost host) : IDisposable
{
    /// <summary>Short, so tests see restarts at once (the kubelet backs off from 10 s up to 5 minutes).</summary>
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _deleted = new();
    private readonly List<(int Code, string Output)> _exits = [];
    private LabProcess? _current;
    private Task _supervision = Task.CompletedTask;

    public string Name { get; } = name;

    public YamlNode Workload { get; } = workload;

    public IReadOnlyDictionary<string, string> Labels { get; } = labels;

    public LabHost Host { get; } = host;

    /// <summary>How each earlier incarnation of the container ended.</summary>
    public IReadOnlyList<(int Code, string Output)> Exits
    {
        get
        {
            lock (_exits)
            {
                return [.. _exits];
            }
        }
    }

    public string Output => _current?.Output ?? string.Empty;

    public void Start(ContainerSpec container) => _supervision = Task.Run(() => SuperviseAsync(container));

    /// <summary>Kills the running container (SIGKILL): it restarts, as after a crash.</summary>
    public void KillContainer() => _current?.Signal("KILL");

    public async Task StopAsync(TimeSpan grace)
    {
        await _deleted.CancelAsync();
        if (_current is { } process && !process.Process.HasExited)
        {
            process.Signal(grace > TimeSpan.Zero ? "TERM" : "KILL");
            using var limit = new CancellationTokenSource(grace + TimeSpan.FromSeconds(5));
            try
            {
                await process.Process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Signal("KILL");
            }
        }

        await _supervision.WaitAsync(TimeSpan.FromSeconds(30));
        Dispose();
    }

    public string Describe()
    {
        var text = new System.Text.StringBuilder($"==== pod {Name} ({Host.Address}), {Exits.Count} earlier exits\n");
        foreach (var (code, output) in Exits)
        {
            text.Append(CultureInfo.InvariantCulture, $"---- exited with {code}:\n{Tail(output)}\n");
        }

        return text.Append("---- now:\n").Append(Tail(Output)).ToString();
    }

    private async Task SuperviseAsync(ContainerSpec container)
    {
        while (!_deleted.IsCancellationRequested)
        {
            var process = LabProcesses.StartContainer(Host, container);
            _current = process;
            await process.Process.WaitForExitAsync(CancellationToken.None);
            process.Process.WaitForExit();
            lock (_exits)
            {
                _exits.Add((process.Process.ExitCode, process.Output));
            }

            process.Clean();
            try
            {
                await Task.Delay(RestartDelay, _deleted.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public void Dispose() => _deleted.Dispose();

    private static string Tail(string output) => output.Length <= 6000 ? output : "..." + output[^6000..];
}
