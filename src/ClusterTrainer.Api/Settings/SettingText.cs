using System.Globalization;
using System.Numerics;
using ClusterTrainer.Core;

namespace ClusterTrainer.Api.Settings;

/// <summary>Settings typed as text (flags, sweep-file values) and shown as text, the same way for every job kind.</summary>
internal static class SettingText
{
    public static string Format<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    public static IEnumerable<string> Names<T>()
        where T : struct, Enum => Enum.GetNames<T>().Select(n => n.ToLowerInvariant());

    public static T Number<T>(string text, string flag)
        where T : struct, INumber<T>
    {
        var whole = typeof(T) != typeof(double);
        return T.TryParse(text, whole ? NumberStyles.AllowLeadingSign : NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new SettingsException(flag, whole ? $"'{text}' is not a whole number" : $"'{text}' is not a number (example: 0.001 or 1e-3)");
    }

    public static T Choice<T>(string text, string flag)
        where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(text, out _)
            ? parsed
            : throw new SettingsException(flag, $"'{text}' is not one of {string.Join(", ", Names<T>())}");

    public static bool Switch(string text, string flag) =>
        bool.TryParse(text, out var on) ? on : throw new SettingsException(flag, $"'{text}' is not true or false");

    public static int[] Sizes(string text, string flag)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sizes = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
            {
                throw new SettingsException(flag, $"'{parts[i]}' is not a positive layer size (example: {flag} 256,256)");
            }
        }

        return sizes;
    }
}
