using System.Text.Json;

namespace ClusterTrainer.Core.Outputs;

/// <summary>The one JSON dialect of run outputs: indented, snake_case settings, enums as names, numbers only (a value that is not a finite number is null).</summary>
public static class RunJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new FiniteOrNullConverter() },
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
