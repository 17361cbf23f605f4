using ClusterTrainer.Api.Settings;
using ClusterTrainer.Core;

namespace ClusterTrainer.Training.Tests.Settings;

/// <summary>README "Settings" is the settings table in words; this keeps the two equal (and prints the table when they are not).</summary>
public class ReadmeSettingsTableTests
{
    [Fact]
    public void Readme_should_hold_the_settings_table_as_the_schema_gives_it()
    {
        var table = Markdown();
        var readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).ReplaceLineEndings("\n");

        Assert.True(readme.Contains(table, StringComparison.Ordinal), $"README.md's settings table differs from TrainingSettingsSchema; put this in its \"Settings\" section:\n\n{table}");
    }

    /// <summary>One line per row: setting, flag, API field, sweep key, default (per model where they differ), what it accepts.</summary>
    private static string Markdown()
    {
        var lines = new List<string>
        {
            "| setting | command line | job API (`TrainingSpec`) | sweep key | default | accepts |",
            "|---|---|---|---|---|---|",
        };
        foreach (var row in TrainingSettingsSchema.Rows)
        {
            lines.Add(string.Join(" | ", [
                $"| {row.Property}",
                row.OnCommandLine ? $"`{row.Flag}`" : "fixed",
                row.ApiField is null ? "-" : $"`{row.ApiField}`",
                row.SweepKey is null ? "-" : $"`{row.SweepKey}`",
                Default(row),
                Cell(row.Rule) + " |",
            ]));
        }

        return string.Join("\n", lines) + "\n";
    }

    private static string Default(TrainingSettingRow row)
    {
        if (row.Property == nameof(TrainingSettings.Model))
        {
            // Nothing given means the mlp; every other default follows the model.
            return $"`{row.Show(TrainingSettings.DefaultsFor(ModelKind.Mlp))}`";
        }

        var byValue = Enum.GetValues<ModelKind>()
            .GroupBy(model => row.Show(TrainingSettings.DefaultsFor(model)) is { } value ? $"`{value}`" : Cell(row.Unset ?? "unset"))
            .ToArray();
        return byValue.Length == 1
            ? byValue[0].Key
            : string.Join(", ", byValue.Select(g => $"{g.Key} {string.Join("/", g.Select(m => m.ToString().ToLowerInvariant()))}"));
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
