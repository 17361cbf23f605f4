using System.Globalization;

namespace ClusterTrainer.Cli.Console;

/// <summary>
/// The width that tables and messages are laid out for. Spectre.Console assumes 80 columns when the output is not
/// a terminal, so `clustertrainer status &gt; file` (or a log collected by a script) stacked a member's roles one
/// letter per line and broke addresses. Output that goes to a file or a pipe is read by programs and by grep, so
/// it gets long lines instead; COLUMNS, when a person sets it, wins in both cases.
/// </summary>
public static class OutputWidth
{
    /// <summary>Wide enough for the widest table (cluster members with Kubernetes DNS names) on one line.</summary>
    public const int Redirected = 240;

    /// <summary>The width to use, or null to keep Spectre.Console's own (the terminal's width).</summary>
    public static int? Choose(bool outputRedirected, string? columns)
    {
        if (int.TryParse(columns, NumberStyles.None, CultureInfo.InvariantCulture, out var set) && set > 0)
        {
            return set;
        }

        return outputRedirected ? Redirected : null;
    }
}
