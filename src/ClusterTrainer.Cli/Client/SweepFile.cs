using System.Globalization;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ClusterTrainer.Cli.Client;

/// <summary>One experiment of a sweep: a readable name ("lr=0.01 batch_size=50") and its settings.</summary>
public sealed record SweepPoint(string Name, TrainingSpec Spec)
{
    /// <summary>The point's settings as the file gives them (base values, then the grid's), by key.</summary>
    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Reads a sweep file (YAML, or JSON, which YAML includes):
/// <code>
/// base: { model: mlp, epochs: 5, data: sample }
/// grid:
///   learning_rate: [0.01, 0.05]
///   batch_size: [50, 100]
/// </code>
/// and expands the grid into its cartesian product. Unknown keys and bad values are errors naming the key.
/// </summary>
public static class SweepFile
{
    private static readonly string[] Keys =
        ["model", "data", "epochs", "batch_size", "learning_rate", "optimizer", "seed", "limit", "workers", "shards", "lr_schedule", "momentum", "activation"];

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
                        baseValues[Key(path, k)] = Scalar(path, k, v);
                    }

                    break;
                case "grid" when valueNode is YamlMappingNode mapping:
                    foreach (var (k, v) in mapping.Children)
                    {
                        var values = v is YamlSequenceNode list ? list.Children.Select(item => Scalar(path, k, item)).ToArray() : [Scalar(path, k, v)];
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
            return new SweepPoint(name, ToSpec(path, values)) { Values = values };
        }).ToArray();
    }

    private static string Key(string path, YamlNode node)
    {
        var key = ((YamlScalarNode)node).Value ?? string.Empty;
        return Keys.Contains(key, StringComparer.Ordinal)
            ? key
            : throw new InvalidDataException($"{path}: unknown setting '{key}' (known: {string.Join(", ", Keys)})");
    }

    private static string Scalar(string path, YamlNode key, YamlNode value) =>
        value is YamlScalarNode { Value: { } text } ? text : throw new InvalidDataException($"{path}: '{key}' needs a single value or a list of values");

    private static TrainingSpec ToSpec(string path, Dictionary<string, string> values)
    {
        var spec = new TrainingSpec();
        foreach (var (key, text) in values)
        {
            int Int() => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidDataException($"{path}: {key} '{text}' is not a whole number");
            double Double() => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidDataException($"{path}: {key} '{text}' is not a number");
            switch (key)
            {
                case "model": spec.Model = text; break;
                case "data": spec.Data = text; break;
                case "epochs": spec.Epochs = Int(); break;
                case "batch_size": spec.BatchSize = Int(); break;
                case "learning_rate": spec.LearningRate = Double(); break;
                case "optimizer": spec.Optimizer = text; break;
                case "seed": spec.Seed = Int(); break;
                case "limit": spec.Limit = Int(); break;
                case "workers": spec.Workers = Int(); break;
                case "shards": spec.Shards = Int(); break;
                case "lr_schedule": spec.LrSchedule = text; break;
                case "momentum": spec.Momentum = Double(); break;
                case "activation": spec.Activation = text; break;
            }
        }

        return spec;
    }
}
