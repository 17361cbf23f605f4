using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ClusterTrainer.Training.Tests.Monitoring;

internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict reader of Prometheus' text exposition format (version 0.0.4): every line must be a comment, a HELP or
/// TYPE line, or a sample `name{label="value",...} value`; anything else fails the test that reads it.
/// </summary>
internal static partial class PrometheusText
{
    public static IReadOnlyList<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.True(parts.Length == 4 && parts[3] is "counter" or "gauge" or "histogram" or "summary" or "untyped", $"bad TYPE line: {line}");
                types[parts[2]] = parts[3];
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a sample line of the text format: {line}");
            var name = match.Groups["name"].Value;
            Assert.True(types.ContainsKey(name) || types.ContainsKey(Regex.Replace(name, "_(sum|count|bucket)$", "")), $"sample {name} has no TYPE line before it");
            samples.Add(new Sample(name, Labels(match.Groups["labels"].Value, line), Value(match.Groups["value"].Value)));
        }

        return samples;
    }

    public static double Single(this IReadOnlyList<Sample> samples, string name, params (string Label, string Value)[] labels)
    {
        var found = samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).ToList();
        Assert.True(found.Count == 1, $"expected one sample {name}{{{string.Join(",", labels.Select(l => $"{l.Label}=\"{l.Value}\""))}}}, found {found.Count}");
        return found[0].Value;
    }

    private static Dictionary<string, string> Labels(string text, string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var position = 0;
        while (position < text.Length)
        {
            var match = LabelPair().Match(text, position);
            Assert.True(match.Success && match.Index == position, $"bad labels in: {line}");
            labels[match.Groups["label"].Value] = Unescape(match.Groups["value"].Value);
            position += match.Length;
        }

        return labels;
    }

    private static string Unescape(string value)
    {
        var text = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            text.Append(value[i] == '\\' ? value[++i] switch { 'n' => '\n', var c => c } : value[i]);
        }

        return text.ToString();
    }

    private static double Value(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+-?\d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<label>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(\\.|[^""\\])*)"",?")]
    private static partial Regex LabelPair();
}
