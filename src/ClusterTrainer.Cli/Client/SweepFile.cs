using ClusterTrainer.Api.Settings;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ClusterTrainer.Cli.Client;

/// <summary>One experiment of a sweep: a readable name ("lr=0.01 batch_size=50") and its settings by sweep key.</summary>
/// <param name="Values">The point's settings as the file gives them (base values, then the grid's), by key.</param>
public sealed record SweepPoint(string Name, IReadOnlyDictionary<string, string> Values)
{
    /// <summary>The request for this point, every setting written out.</summary>
    /// <exception cref="SettingsException">naming the sweep key of a value that cannot run (<see cref="SweepValidation.Require"/> checks every point first).</exception>
    public TrainingSpec Spec => TrainingSettingsSchema.ToSpec(SweepValidation.ToSettings(Values));
}

/// <summary>
/// Reads a sweep file (YAML, or JSON, which YAML includes):
/// <code>
/// base: { model: mlp, epochs: 5, data: sample }
/// grid:
///   learning_rate: [0.01, 0.05]
///   batch_size: [50, 100]
/// </code>
/// and expands the grid into its cartesian product. The keys are the sweep keys of
/// <see cref="TrainingSettingsSchema"/> (README "Settings"); an unknown key is an error naming it, and bad values
/// are found by <see cref="SweepValidation"/>, naming the key and the point. A list where one value is expected
/// (hidden: [512, 256] in base, or an item of a grid list) is one value, its items joined by commas.
/// </summary>
public static class SweepFile
{
    private static readonly string[] Keys = [.. TrainingSettingsSchema.Rows.Select(r => r.SweepKey).OfType<string>()];

    public static IReadOnlyList<SweepPoint> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"sweep file '{path}' not found", path);
        }

        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException error)
        {
            throw new InvalidDataException($"{path}: not valid YAML or JSON at line {error.Start.Line}: {error.Message}", error);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InvalidDataException($"{path}: expected one mapping with 'base' and 'grid'");
        }

        var baseValues = new Dictionary<string, string>(StringComparer.Ordinal);
        var grid = new List<(string Key, string[] Values)>();
        foreach (var (keyNode, valueNode) in root.Children)
        {
            switch (((YamlScalarNode)keyNode).Value)
            {
                case "base" when valueNode is YamlMappingNode mapping:
                    foreach (var (k, v) in mapping.Children)
                    {
                        baseValues[Key(path, k)] = Value(path, k, v);
                    }

                    break;
                case "grid" when valueNode is YamlMappingNode mapping:
                    foreach (var (k, v) in mapping.Children)
                    {
                        var values = v is YamlSequenceNode list ? list.Children.Select(item => Value(path, k, item)).ToArray() : [Value(path, k, v)];
                        if (values.Length == 0)
                        {
                            throw new InvalidDataException($"{path}: grid.{Key(path, k)} has no values");
                        }

                        grid.Add((Key(path, k), values));
                    }

                    break;
                case var other:
                    throw new InvalidDataException($"{path}: unknown section '{other}' (expected 'base' and 'grid')");
            }
        }

        IEnumerable<List<(string Key, string Value)>> combinations = [[]];
        foreach (var (key, values) in grid)
        {
            combinations = combinations.SelectMany(c => values.Select(v => new List<(string, string)>(c) { (key, v) }));
        }

        return combinations.Select(c =>
        {
            var values = new Dictionary<string, string>(baseValues, StringComparer.Ordinal);
            foreach (var (key, value) in c)
            {
                values[key] = value;
            }

            var name = c.Count == 0 ? "base" : string.Join(" ", c.Select(p => $"{p.Key}={p.Value}"));
            return new SweepPoint(name, values);
        }).ToArray();
    }

    private static string Key(string path, YamlNode node)
    {
        var key = ((YamlScalarNode)node).Value ?? string.Empty;
        return Keys.Contains(key, StringComparer.Ordinal)
            ? key
            : throw new InvalidDataException($"{path}: unknown setting '{key}' (known: {string.Join(", ", Keys)})");
    }

    /// <summary>A scalar, or a list of scalars as one comma-separated value (a list of layer sizes).</summary>
    private static string Value(string path, YamlNode key, YamlNode value) => value switch
    {
        YamlScalarNode { Value: { } text } => text,
        YamlSequenceNode list when list.Children.All(item => item is YamlScalarNode { Value: not null }) =>
            string.Join(",", list.Children.Select(item => ((YamlScalarNode)item).Value)),
        _ => throw new InvalidDataException($"{path}: '{key}' needs a single value or a list of values"),
    };
}
