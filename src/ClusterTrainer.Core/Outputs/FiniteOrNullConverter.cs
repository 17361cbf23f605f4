using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClusterTrainer.Core.Outputs;

/// <summary>
/// Writes a double that is not a finite number (NaN, infinity) as JSON null, so run outputs stay standard JSON
/// with numbers only (a reader of "test_loss": "NaN" gets a string where it expects a number). Reads null as NaN,
/// and still reads the named literals ("NaN") that earlier versions wrote.
/// </summary>
public sealed class FiniteOrNullConverter : JsonConverter<double>
{
    public override bool HandleNull => true;

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Null => double.NaN,
            JsonTokenType.String when double.TryParse(reader.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) => value,
            _ => reader.GetDouble(),
        };

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
