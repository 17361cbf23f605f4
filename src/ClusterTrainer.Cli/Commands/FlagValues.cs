using System.Globalization;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cli.Commands;

/// <summary>
/// Numbers from the command line, parsed here rather than by the command-line library so that an error
/// names the flag ("--epochs: 'zero' is not a whole number").
/// </summary>
internal static class FlagValues
{
    public static int? Int(string? text, string flag) =>
        text is null ? null
        : int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value
        : throw new SettingsException(flag, $"'{text}' is not a whole number");

    public static double? Double(string? text, string flag) =>
        text is null ? null
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value
        : throw new SettingsException(flag, $"'{text}' is not a number (example: 0.001 or 1e-3)");

    public static int? PositiveInt(string? text, string flag) =>
        text is null ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw new SettingsException(flag, $"'{text}' is not a positive whole number");
}
