namespace ClusterTrainer.Core;

/// <summary>A setting has a value the run cannot use; the message names the setting and the fix.</summary>
public sealed class SettingsException : Exception
{
    public SettingsException(string setting, string message)
        : base($"{setting}: {message}")
    {
        Setting = setting;
    }

    public SettingsException()
    {
        Setting = string.Empty;
    }

    public SettingsException(string message)
        : base(message)
    {
        Setting = string.Empty;
    }

    public SettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Setting = string.Empty;
    }

    public string Setting { get; }
}
