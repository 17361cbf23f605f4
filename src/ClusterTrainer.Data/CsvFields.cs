using System.Globalization;
using System.Text;

namespace ClusterTrainer.Data;

/// <summary>
/// Splits one CSV line into trimmed fields. Double-quoted fields may hold the separator and "" for a
/// quote, since exported label names often come quoted; a quoted field cannot span lines.
/// </summary>
internal static class CsvFields
{
    public static List<string> Split(string line, char separator, string fileName, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"' && field.ToString().Trim().Length == 0)
            {
                field.Clear();
                quoted = true;
            }
            else if (c == separator)
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw new DataFormatException(fileName, string.Create(CultureInfo.InvariantCulture, $"line {lineNumber}, column {fields.Count + 1}: a quoted field is not closed; quoted fields must end on the line they start."))
            {
                Line = lineNumber,
                Column = fields.Count + 1,
            };
        }

        fields.Add(field.ToString().Trim());
        return fields;
    }
}
