namespace ClusterTrainer.Api.Settings;

/// <summary>Where a setting was given, which decides the name an error calls it by.</summary>
public enum SettingVocabulary
{
    /// <summary>A flag: --momentum.</summary>
    CommandLine,

    /// <summary>A field of the job API's request: training.momentum.</summary>
    Api,

    /// <summary>A key of a sweep file: momentum.</summary>
    SweepFile,
}
