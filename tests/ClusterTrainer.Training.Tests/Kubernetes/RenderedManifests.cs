using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace ClusterTrainer.Training.Tests.Kubernetes;

/// <summary>The objects `kubectl kustomize DIR` renders: what `kubectl apply -k DIR` would send to a cluster.</summary>
internal sealed class RenderedManifests
{
    private RenderedManifests(IReadOnlyList<YamlMappingNode> objects) => Objects = objects;

    public IReadOnlyList<YamlMappingNode> Objects { get; }

    public static RenderedManifests Render(string kustomizationDirectory)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(kustomizationDirectory);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`kubectl kustomize {kustomizationDirectory}` did not finish within 60 s");
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`kubectl kustomize {kustomizationDirectory}` exited with {process.ExitCode}: {error.GetAwaiter().GetResult()}");
        }

        var stream = new YamlStream();
        stream.Load(new StringReader(output.GetAwaiter().GetResult()));
        return new RenderedManifests(stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList());
    }

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Objects.Where(o => o.Text("kind") == kind);

    public YamlMappingNode Find(string kind, string name) =>
        OfKind(kind).FirstOrDefault(o => o.Text("metadata", "name") == name) ?? throw new InvalidOperationException($"{kind}/{name} is not rendered");
}

/// <summary>Small accessors over YamlDotNet's representation model; a missing key reads as null.</summary>
internal static class YamlAccess
{
    public static YamlNode? At(this YamlNode? node, params string[] path) =>
        path.Aggregate(node, (current, key) => current is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null);

    public static string? Text(this YamlNode? node, params string[] path) => (node.At(path) as YamlScalarNode)?.Value;

    public static IReadOnlyList<YamlNode> Items(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlSequenceNode sequence ? sequence.Children.ToList() : [];

    public static Dictionary<string, string> Pairs(this YamlNode? node, params string[] path) =>
        node.At(path) is YamlMappingNode map
            ? map.Children.ToDictionary(pair => ((YamlScalarNode)pair.Key).Value ?? "", pair => (pair.Value as YamlScalarNode)?.Value ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
}
