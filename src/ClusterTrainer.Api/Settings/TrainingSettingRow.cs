using ClusterTrainer.Api.V1;
using ClusterTrainer.Core;

namespace ClusterTrainer.Api.Settings;

/// <summary>
/// One setting of a supervised training job in every vocabulary it is spoken in. Rows are made by the helpers of
/// <see cref="TrainingSettingsSchema"/>, which derive parsing and the API mapping from a getter and a setter.
/// </summary>
public sealed record TrainingSettingRow
{
    /// <summary>The <see cref="TrainingSettings"/> property this row sets.</summary>
    public required string Property { get; init; }

    /// <summary>
    /// The command-line flag, which is also the name the program itself reports a problem under (see
    /// <see cref="TrainingSettings.Validate"/>). Every row has one, also those a person cannot set.
    /// </summary>
    public required string Flag { get; init; }

    /// <summary>Whether `train`, `cluster`, `submit` and `bench` take <see cref="Flag"/>; false for settings fixed by the program (tests set them in code).</summary>
    public required bool OnCommandLine { get; init; }

    /// <summary>The field of the API's TrainingSpec; null when the API cannot carry the setting (submit refuses it by name).</summary>
    public string? ApiField { get; init; }

    /// <summary>The key in a sweep file; null when a sweep cannot vary it.</summary>
    public string? SweepKey { get; init; }

    /// <summary>What values are accepted, in words (the check itself is <see cref="TrainingSettings.Validate"/>).</summary>
    public required string Rule { get; init; }

    /// <summary>What an unset (null) value means, for settings that may be unset.</summary>
    public string? Unset { get; init; }

    /// <summary>The value as a person would type it; null when unset.</summary>
    public required Func<TrainingSettings, string?> Show { get; init; }

    /// <summary>Applies a value typed as text (a flag's or a sweep key's); throws <see cref="SettingsException"/> naming <see cref="Flag"/>.</summary>
    public Func<TrainingSettings, string, TrainingSettings>? Parse { get; init; }

    /// <summary>Writes the value into a request; leaves the field absent when the value is unset.</summary>
    public Action<TrainingSettings, TrainingSpec>? Write { get; init; }

    /// <summary>Applies the request's value when the field is present; keeps the settings' value otherwise.</summary>
    public Func<TrainingSettings, TrainingSpec, TrainingSettings>? Read { get; init; }

    /// <summary>The setting's name in <paramref name="vocabulary"/>; the flag where that vocabulary has no name for it.</summary>
    public string NameIn(SettingVocabulary vocabulary) => vocabulary switch
    {
        SettingVocabulary.Api when ApiField is not null => "training." + ApiField,
        SettingVocabulary.SweepFile when SweepKey is not null => SweepKey,
        _ => Flag,
    };
}
