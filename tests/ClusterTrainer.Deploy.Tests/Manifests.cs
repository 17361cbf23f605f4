namespace ClusterTrainer.Deploy.Tests;

/// <summary>A container's environment variable: a literal value, a downward-API field, or a Secret's key.</summary>
internal sealed record EnvValue(string? Value, string? FieldPath, string? SecretName = null, string? SecretKey = null);

/// <summary>A pod template (or pod) and the workload it belongs to, e.g. "StatefulSet/clustertrainer-coordinator".</summary>
internal sealed record PodTemplate(string Workload, YamlMappingNode Template)
{
    public Dictionary<string, string> Labels => Template.Pairs("metadata", "labels");

    public YamlNode? Spec => Template.Get("spec");

    public IEnumerable<YamlNode> Containers => Spec.Items("containers").Concat(Spec.Items("initContainers"));

    /// <summary>Container ports of all containers: name (may be null) and number.</summary>
    public IEnumerable<(string? Name, int Number)> Ports =>
        Containers.SelectMany(container => container.Items("ports"))
            .Select(port => (port.Text("name"), int.Parse(port.Text("containerPort") ?? "-1", System.Globalization.CultureInfo.InvariantCulture)));
}

/// <summary>The objects one `kubectl kustomize` rendering produced, with the lookups the checks need.</summary>
internal sealed class Manifests(string source, IReadOnlyList<YamlMappingNode> objects)
{
    private static readonly HashSet<string> WorkloadKinds = new(StringComparer.Ordinal) { "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job" };

    public string Source { get; } = source;

    public IReadOnlyList<YamlMappingNode> Objects { get; } = objects;

    public static string Id(YamlNode o) => $"{o.Text("kind")}/{o.Text("metadata", "name")}";

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Objects.Where(o => o.Text("kind") == kind);

    public YamlMappingNode? Find(string kind, string name) => OfKind(kind).FirstOrDefault(o => o.Text("metadata", "name") == name);

    public IEnumerable<PodTemplate> PodTemplates =>
        Objects.SelectMany(o => o.Text("kind") switch
        {
            "Pod" => [new PodTemplate(Id(o), o)],
            { } kind when WorkloadKinds.Contains(kind) && o.Map("spec", "template") is { } template => [new PodTemplate(Id(o), template)],
            _ => Array.Empty<PodTemplate>(),
        });

    /// <summary>Pods that run a ClusterTrainer node: their container sets CLUSTERTRAINER_ROLES.</summary>
    public IEnumerable<PodTemplate> ClusterPods => PodTemplates.Where(pod => pod.Containers.Any(c => Env(c).ContainsKey("CLUSTERTRAINER_ROLES")));

    /// <summary>A container's environment with envFrom ConfigMaps resolved (explicit env wins, as in Kubernetes).</summary>
    public Dictionary<string, EnvValue> Env(YamlNode container)
    {
        var env = new Dictionary<string, EnvValue>(StringComparer.Ordinal);
        foreach (var source in container.Items("envFrom"))
        {
            if (source.Text("configMapRef", "name") is { } name && Find("ConfigMap", name) is { } configMap)
            {
                foreach (var (key, value) in configMap.Pairs("data"))
                {
                    env[key] = new EnvValue(value, null);
                }
            }
        }

        foreach (var variable in container.Items("env"))
        {
            env[variable.Text("name") ?? ""] = new EnvValue(
                variable.Text("value"),
                variable.Text("valueFrom", "fieldRef", "fieldPath"),
                variable.Text("valueFrom", "secretKeyRef", "name"),
                variable.Text("valueFrom", "secretKeyRef", "key"));
        }

        return env;
    }

    public static bool Selects(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    /// <summary>Parses an equality-based label selector such as "a=b,c=d".</summary>
    public static Dictionary<string, string> ParseSelector(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(term => term.Split('=', 2))
            .ToDictionary(parts => parts[0].Trim(), parts => parts.Length == 2 ? parts[1].Trim() : "", StringComparer.Ordinal);

    public override string ToString() => Source;
}
