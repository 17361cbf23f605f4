namespace ClusterTrainer.Core;

/// <summary>
/// A setting has a value the run cannot use; the message names the setting and the fix. <see cref="Setting"/> is
/// the setting's name where it was found (a flag such as --momentum inside the program); a caller that speaks
/// another vocabulary (the job API's training.momentum, a sweep file's momentum) renames it with
/// <see cref="Renamed"/>, keeping <see cref="Problem"/>.
/// </summary>
public sealed class SettingsException : Exception
{
    public SettingsException(string setting, string message)
        : base($"{setting}: {message}")
    {
        Setting = setting;
        Problem = message;
    }

    public SettingsException()
    {
        Setting = string.Empty;
        Problem = string.Empty;
    }

    public SettingsException(string message)
        : base(message)
    {
        Setting = string.Empty;
        Problem = message;
    }

    public SettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Setting = string.Empty;
        Problem = message;
    }

    public string Setting { get; }

    /// <summary>What is wrong and how to fix it, without the setting's name.</summary>
    public string Problem { get; }

    /// <summary>The same problem under the name the caller knows the setting by.</summary>
    public SettingsException Renamed(string setting) => new(setting, Problem);
}
