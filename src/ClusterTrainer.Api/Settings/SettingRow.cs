namespace ClusterTrainer.Api.Settings;

/// <summary>
/// One setting of a job kind in every vocabulary it is spoken in: <typeparamref name="TSettings"/> is what the job
/// runs with (TrainingSettings, DqnSettings), <typeparamref name="TSpec"/> the job API's message that carries it.
/// Rows are made by <see cref="SettingRows{TSettings, TSpec}"/>, which derives parsing and the API mapping from a
/// getter and a setter.
/// </summary>
public sealed record SettingRow<TSettings, TSpec>
{
    /// <summary>The <typeparamref name="TSettings"/> property this row sets.</summary>
    public required string Property { get; init; }

    /// <summary>
    /// The command-line flag, which is also the name the program itself reports a problem under (the settings'
    /// Validate). Every row has one, also those a person cannot set.
    /// </summary>
    public required string Flag { get; init; }

    /// <summary>Whether the job's commands take <see cref="Flag"/>; false for settings fixed by the program (tests set them in code).</summary>
    public required bool OnCommandLine { get; init; }

    /// <summary>The field of <typeparamref name="TSpec"/>; null when the API cannot carry the setting (submit refuses it by name).</summary>
    public string? ApiField { get; init; }

    /// <summary>The request message's name in the API's errors: training, dqn.</summary>
    public required string ApiMessage { get; init; }

    /// <summary>The key in a sweep file; null when a sweep cannot vary it.</summary>
    public string? SweepKey { get; init; }

    /// <summary>What values are accepted, in words (the check itself is the settings' Validate).</summary>
    public required string Rule { get; init; }

    /// <summary>What an unset (null) value means, for settings that may be unset.</summary>
    public string? Unset { get; init; }

    /// <summary>The value as a person would type it; null when unset.</summary>
    public required Func<TSettings, string?> Show { get; init; }

    /// <summary>Applies a value typed as text (a flag's or a sweep key's); throws SettingsException naming <see cref="Flag"/>.</summary>
    public Func<TSettings, string, TSettings>? Parse { get; init; }

    /// <summary>Writes the value into a request; leaves the field absent when the value is unset.</summary>
    public Action<TSettings, TSpec>? Write { get; init; }

    /// <summary>Applies the request's value when the field is present; keeps the settings' value otherwise.</summary>
    public Func<TSettings, TSpec, TSettings>? Read { get; init; }

    /// <summary>Whether a request sets the field (a present optional number, a non-empty string or list).</summary>
    public Func<TSpec, bool>? IsIn { get; init; }

    /// <summary>The setting's name in <paramref name="vocabulary"/>; the flag where that vocabulary has no name for it.</summary>
    public string NameIn(SettingVocabulary vocabulary) => vocabulary switch
    {
        SettingVocabulary.Api when ApiField is not null => $"{ApiMessage}.{ApiField}",
        SettingVocabulary.SweepFile when SweepKey is not null => SweepKey,
        _ => Flag,
    };
}
