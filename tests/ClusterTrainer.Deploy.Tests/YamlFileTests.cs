using System.Text.RegularExpressions;

namespace ClusterTrainer.Deploy.Tests;

public sealed partial class YamlFileTests
{
    public static TheoryData<string> YamlFiles() => new(YamlPaths());

    private static IEnumerable<string> YamlPaths() =>
        Directory.GetFiles(Repo.PathOf("k8s"), "*.*", SearchOption.AllDirectories)
            .Where(path => path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal))
            .Select(path => Path.GetRelativePath(Repo.Root, path).Replace('\\', '/'))
            .Append(Compose.File)
            .Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(YamlFiles))]
    public void Should_parse_every_yaml_file(string path)
    {
        IReadOnlyList<YamlMappingNode> documents = [];
        var error = Record.Exception(() => documents = Yaml.Documents(Repo.Read(path)));

        Assert.True(error is null, $"{path} is not valid YAML: {error?.Message}");
        Assert.True(documents.Count > 0, $"{path} holds no YAML mapping");
        foreach (var document in documents.Where(_ => path.StartsWith("k8s/", StringComparison.Ordinal)))
        {
            Assert.True(document.Text("apiVersion") is not null && document.Text("kind") is not null,
                $"{path}: a document lacks apiVersion or kind");
        }
    }

    [Fact]
    public void Should_use_only_variables_of_the_node_contract()
    {
        // A misspelt variable is silently ignored by the program; catch it here.
        var sources = YamlPaths().Append(Dockerfile.File);
        foreach (var path in sources)
        {
            foreach (var name in Variable().Matches(Repo.Read(path)).Select(match => match.Value).Distinct(StringComparer.Ordinal))
            {
                Assert.True(NodeContract.Variables.Contains(name), $"{path} uses {name}, which is not a variable the node reads");
            }
        }
    }

    [Fact]
    public void Should_list_in_the_node_contract_only_variables_the_source_reads()
    {
        // The contract is what the manifests may use; each name must appear in the program's source as a literal.
        var source = string.Join('\n', Directory.GetFiles(Repo.PathOf("src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains("/obj/", StringComparison.Ordinal))
            .Select(File.ReadAllText));
        foreach (var name in NodeContract.Variables)
        {
            Assert.True(source.Contains($"\"{name}\"", StringComparison.Ordinal), $"NodeContract lists {name}, which no source file reads");
        }
    }

    [GeneratedRegex(@"\bCLUSTERTRAINER_[A-Z_]+\b")]
    private static partial Regex Variable();
}
