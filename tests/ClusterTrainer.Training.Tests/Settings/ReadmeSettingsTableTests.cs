using ClusterTrainer.Api.Settings;
using ClusterTrainer.Core;
using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Environments;

namespace ClusterTrainer.Training.Tests.Settings;

/// <summary>README's settings tables are the schemas in words; this keeps them equal (and prints a table when they are not).</summary>
public class ReadmeSettingsTableTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md")).ReplaceLineEndings("\n");

    [Fact]
    public void Readme_should_hold_the_training_settings_table_as_the_schema_gives_it()
    {
        var kinds = Enum.GetValues<ModelKind>().Select(m => (m.ToString().ToLowerInvariant(), TrainingSettings.DefaultsFor(m))).ToArray();
        var table = Markdown(TrainingSettingsSchema.Rows, "command line", "`TrainingSpec`", withSweepKeys: true, kinds);

        Assert.True(Readme.Contains(table, StringComparison.Ordinal), $"README.md's training settings table differs from TrainingSettingsSchema; put this in its \"Settings\" section:\n\n{table}");
    }

    [Fact]
    public void Readme_should_hold_the_dqn_settings_table_as_the_schema_gives_it()
    {
        var kinds = EnvironmentCatalog.All.Select(e => (e.Name, DqnSettings.DefaultsFor(e.Name))).ToArray();
        var table = Markdown(DqnSettingsSchema.Rows, "`dqn`", "`DqnSpec`", withSweepKeys: false, kinds);

        Assert.True(Readme.Contains(table, StringComparison.Ordinal), $"README.md's DQN settings table differs from DqnSettingsSchema; put this in its \"Settings\" section:\n\n{table}");
    }

    /// <summary>
    /// One line per row: setting, flag, API field, (sweep key,) default, what it accepts. The first row's default is
    /// its value when nothing is given (the first job kind); the others show each kind's where they differ.
    /// </summary>
    private static string Markdown<TSettings, TSpec>(IReadOnlyList<SettingRow<TSettings, TSpec>> rows, string flags, string api, bool withSweepKeys, (string Name, TSettings Defaults)[] kinds)
    {
        var lines = new List<string>
        {
            $"| setting | {flags} | job API ({api}) |{(withSweepKeys ? " sweep key |" : string.Empty)} default | accepts |",
            $"|---|---|---|{(withSweepKeys ? "---|" : string.Empty)}---|---|",
        };
        foreach (var row in rows)
        {
            var defaults = row == rows[0] ? kinds[..1] : kinds;
            lines.Add(string.Join(" | ", new[]
            {
                $"| {row.Property}",
                row.OnCommandLine ? $"`{row.Flag}`" : "fixed",
                row.ApiField is null ? "-" : $"`{row.ApiField}`",
                withSweepKeys ? (row.SweepKey is null ? "-" : $"`{row.SweepKey}`") : null,
                Default(row, defaults),
                Cell(row.Rule) + " |",
            }.OfType<string>()));
        }

        return string.Join("\n", lines) + "\n";
    }

    private static string Default<TSettings, TSpec>(SettingRow<TSettings, TSpec> row, (string Name, TSettings Defaults)[] kinds)
    {
        var byValue = kinds
            .GroupBy(kind => row.Show(kind.Defaults) is { } value ? $"`{value}`" : Cell(row.Unset ?? "unset"))
            .ToArray();
        return byValue.Length == 1
            ? byValue[0].Key
            : string.Join(", ", byValue.Select(g => $"{g.Key} {string.Join("/", g.Select(kind => kind.Name))}"));
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
