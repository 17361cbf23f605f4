using System.Text.Json;

namespace ClusterTrainer.Core.Outputs;

/// <summary>The one JSON dialect of run outputs: indented, snake_case settings, enums as names.</summary>
public static class RunJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)
                ?? throw new InvalidDataException($"{source}: empty JSON document");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{source}: not a valid {typeof(T).Name} ({error.Message})", error);
        }
    }
}
