using System.Globalization;
using System.Reflection;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli;

/// <summary>One option of a command as a person types it: its names (--epochs, -e) and whether a value must follow.</summary>
public sealed record CommandOptionInfo(IReadOnlyList<string> Names, string? ValueName, bool TakesValue)
{
    public string LongName => Names.FirstOrDefault(n => n.StartsWith("--", StringComparison.Ordinal)) ?? Names[0];
}

/// <summary>Reads a command's options from its settings class, where Spectre.Console.Cli reads them too.</summary>
public static class CommandOptions
{
    public static IReadOnlyList<CommandOptionInfo> Of(Type settingsType)
    {
        ArgumentNullException.ThrowIfNull(settingsType);
        return settingsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.GetCustomAttribute<CommandOptionAttribute>())
            .OfType<CommandOptionAttribute>()
            .Where(a => !a.IsHidden)
            .Select(a => new CommandOptionInfo(
                [.. a.LongNames.Select(n => "--" + n), .. a.ShortNames.Select(n => "-" + n)],
                a.ValueName,
                a.ValueName is not null && !a.ValueIsOptional))
            .ToArray();
    }

    /// <summary>
    /// The first option in <paramref name="args"/> that needs a value but has none (`train --epochs`, or
    /// `train --epochs --lr 0.1`), as a message; null when every option has its value. Spectre.Console.Cli
    /// would bind the internal name "__default_command" to such an option instead of saying so.
    /// </summary>
    public static string? MissingValue(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0 || CommandCatalog.Find(args[0]) is not { } command)
        {
            return null;
        }

        var options = Of(command.SettingsType);
        for (var i = 1; i < args.Count; i++)
        {
            var token = args[i];
            if (!token.StartsWith('-') || token.Contains('=', StringComparison.Ordinal) || IsNumber(token))
            {
                continue;
            }

            var option = options.FirstOrDefault(o => o.Names.Contains(token, StringComparer.Ordinal));
            if (option is not { TakesValue: true })
            {
                continue;
            }

            var next = i + 1 < args.Count ? args[i + 1] : null;
            if (next is null || (next.StartsWith('-') && !IsNumber(next)))
            {
                return $"{token} needs a value: {option.LongName} <{option.ValueName}>";
            }

            i++;
        }

        return null;
    }

    private static bool IsNumber(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
