using System.Globalization;
using System.Text.RegularExpressions;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cli.NetLab;

/// <summary>
/// A link's rate as `tc` writes it (100mbit, 1gbit, 10gbit), with an optional one-way delay (RATE,DELAY: 1gbit,200us),
/// parsed once at the edge so that a bad value names the flag and what to write instead.
/// </summary>
public sealed partial record LinkRate(string Text, double BitsPerSecond, string? Delay)
{
    public double BytesPerSecond => BitsPerSecond / 8;

    public static LinkRate Parse(string text, string flag)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var match = RatePattern().Match(parts[0]);
        if (parts.Length > 2 || !match.Success)
        {
            throw new SettingsException(flag, $"'{text}' is not a link rate: write RATE or RATE,DELAY, e.g. 1gbit, 10gbit, 100mbit or 1gbit,200us");
        }

        var scale = match.Groups[2].Value switch
        {
            "kbit" => 1e3,
            "mbit" => 1e6,
            _ => 1e9,
        };
        var bits = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * scale;
        if (bits < 1e6 || bits > 400e9)
        {
            throw new SettingsException(flag, $"'{parts[0]}' is outside 1mbit..400gbit");
        }

        string? delay = null;
        if (parts.Length == 2)
        {
            delay = DelayPattern().IsMatch(parts[1]) ? parts[1] : throw new SettingsException(flag, $"'{parts[1]}' is not a delay: write e.g. 200us or 1ms");
        }

        return new LinkRate(parts[0], bits, delay);
    }

    [GeneratedRegex("^([0-9]+(?:\\.[0-9]+)?)(kbit|mbit|gbit)$")]
    private static partial Regex RatePattern();

    [GeneratedRegex("^[0-9]+(?:\\.[0-9]+)?(us|ms)$")]
    private static partial Regex DelayPattern();
}
