using System.Text.Json;

namespace ClusterTrainer.Core.Outputs;

/// <summary>Which command wrote a run directory, told by its settings.json, so each reader can refuse the other's runs by name.</summary>
public enum RunKind
{
    Unknown,
    Supervised,
    Dqn,
}

public static class RunKinds
{
    /// <summary>Supervised settings name a "model", DQN settings an "environment".</summary>
    public static RunKind Detect(string settingsJson)
    {
        try
        {
            using var document = JsonDocument.Parse(settingsJson);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return RunKind.Unknown;
            }

            return document.RootElement.TryGetProperty("environment", out _) ? RunKind.Dqn
                : document.RootElement.TryGetProperty("model", out _) ? RunKind.Supervised
                : RunKind.Unknown;
        }
        catch (JsonException)
        {
            return RunKind.Unknown;
        }
    }

    /// <exception cref="InvalidDataException">naming the settings file and the command that reads runs of its kind.</exception>
    public static void Require(RunKind expected, string settingsPath, string settingsJson)
    {
        var found = Detect(settingsJson);
        if (found == expected || found == RunKind.Unknown)
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(settingsPath));
        throw new InvalidDataException(found == RunKind.Dqn
            ? $"{settingsPath} belongs to a DQN run (written by `clustertrainer dqn`), not a supervised one: replay it with `clustertrainer play --run {directory}`"
            : $"{settingsPath} belongs to a supervised training run (written by `clustertrainer train`), not a DQN one: evaluate it with `clustertrainer evaluate --run {directory}`");
    }
}
