namespace ClusterTrainer.Deploy.Tests;

/// <summary>docker-compose.yml, parsed with its anchors and merge keys resolved.</summary>
internal static class Compose
{
    public const string File = "docker-compose.yml";

    private static readonly Lazy<YamlMappingNode> Document = new(() => Yaml.Documents(Repo.Read(File)).Single());

    public static YamlMappingNode Services =>
        Document.Value.Map("services") ?? throw new InvalidOperationException($"{File} has no services");

    public static IEnumerable<(string Name, YamlNode Service)> All =>
        Services.Children.Select(pair => (((YamlScalarNode)pair.Key).Value ?? "", pair.Value));

    public static YamlNode Service(string name)
    {
        var service = Services.Get(name);
        Assert.False(service is null, $"{File} has no service '{name}'");
        return service!;
    }

    public static bool IsSeq(YamlNode service) => service.Text("image")?.StartsWith("datalust/seq", StringComparison.Ordinal) == true;

    /// <summary>Services that run a ClusterTrainer node: they set its roles.</summary>
    public static IEnumerable<(string Name, YamlNode Service)> Nodes => All.Where(s => Env(s.Service).ContainsKey("CLUSTERTRAINER_ROLES"));

    /// <summary>A service's environment, in either of compose's forms (map, or list of NAME=value).</summary>
    public static Dictionary<string, string> Env(YamlNode service)
    {
        if (service.Get("environment") is YamlSequenceNode list)
        {
            return list.Children.Select(item => ((YamlScalarNode)item).Value ?? "")
                .Select(text => text.Split('=', 2))
                .ToDictionary(parts => parts[0], parts => parts.Length == 2 ? parts[1] : "", StringComparer.Ordinal);
        }

        return service.Pairs("environment");
    }

    /// <summary>Published ports as (host part or null, container port), from short or long syntax.</summary>
    public static IEnumerable<(string? Host, string Container)> Ports(YamlNode service) =>
        service.Items("ports").Select(port =>
        {
            if (port is YamlScalarNode scalar)
            {
                var parts = (scalar.Value ?? "").Split(':');
                return parts.Length == 1 ? ((string?)null, parts[0]) : (string.Join(':', parts[..^1]), parts[^1]);
            }

            return (port.Text("published"), port.Text("target") ?? "");
        });
}
