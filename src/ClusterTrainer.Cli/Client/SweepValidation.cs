using ClusterTrainer.Api.Settings;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cli.Client;

/// <summary>
/// Checks every point of a sweep before any is submitted, with the rules `train` applies to its flags, so a bad
/// value in the grid's last point does not leave the first points running alone. Zero is a value: `epochs: 0`
/// is refused, not taken for "the default".
/// </summary>
public static class SweepValidation
{
    /// <exception cref="InvalidDataException">naming the file and every invalid point with its key and problem.</exception>
    public static void Require(string path, IReadOnlyList<SweepPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var problems = new List<string>();
        for (var i = 0; i < points.Count; i++)
        {
            try
            {
                ToSettings(points[i].Values);
            }
            catch (SettingsException error)
            {
                problems.Add($"point {i + 1} ({points[i].Name}): {error.Message}");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException($"{path}: {problems.Count} of {points.Count} points cannot run, so nothing was submitted: {string.Join("; ", problems)}");
        }
    }

    /// <summary>The settings `train` would run for these sweep values.</summary>
    /// <exception cref="SettingsException">naming the sweep key of the first value that cannot be used ("epochs: must be at least 1", not "--epochs: ...").</exception>
    public static TrainingSettings ToSettings(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var byFlag = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, text) in values)
        {
            var row = TrainingSettingsSchema.BySweepKey(key) ?? throw new SettingsException(key, "is not a sweep key (README, Settings)");
            byFlag[row.Flag] = text;
        }

        try
        {
            return TrainingSettingsSchema.FromText(byFlag);
        }
        catch (SettingsException error)
        {
            throw TrainingSettingsSchema.Rename(error, SettingVocabulary.SweepFile);
        }
    }
}
