using System.Globalization;

namespace ClusterTrainer.Data;

/// <summary>
/// Reads tabular data: numeric feature columns and one label column, with an optional header row.
/// A header is recognised by a non-numeric field among the feature columns of the first row. Errors
/// are <see cref="DataFormatException"/>s giving the 1-based line and column.
/// </summary>
public static class CsvReader
{
    /// <summary>Reads a CSV file into a Float32-encoded dataset of shape [featureCount].</summary>
    public static Dataset Read(string path, CsvOptions? options = null)
    {
        StreamReader reader;
        try
        {
            reader = new StreamReader(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataNotFoundException(path, $"{path} does not exist.", e);
        }

        using (reader)
        {
            return Read(reader, path, options);
        }
    }

    /// <summary>As <see cref="Read(string, CsvOptions?)"/>; <paramref name="displayName"/> names the source in errors and in the dataset.</summary>
    public static Dataset Read(TextReader reader, string displayName, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new CsvOptions();
        var lineNumber = 0;
        List<string>? first = null;
        while (first is null && reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                first = CsvFields.Split(line, options.Separator, displayName, lineNumber);
            }
        }

        if (first is null)
        {
            throw new DataFormatException(displayName, "is empty; expected rows of numeric features followed by a label column.");
        }

        var firstLine = lineNumber;
        var width = first.Count;
        if (width < 2)
        {
            throw Error(displayName, firstLine, null, $"has 1 field, but a row needs at least one feature and a label separated by '{options.Separator}'.");
        }

        var (labelColumn, hasHeader) = LocateLabel(first, firstLine, options, displayName);
        var features = new List<float>();
        var labelTexts = new List<string>();
        var labelLines = new List<int>();
        if (!hasHeader)
        {
            AddRow(first, firstLine, labelColumn, displayName, features, labelTexts, labelLines);
        }

        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = CsvFields.Split(line, options.Separator, displayName, lineNumber);
            if (fields.Count != width)
            {
                throw Error(displayName, lineNumber, null, $"has {fields.Count} fields, expected {width} like line {firstLine}.");
            }

            AddRow(fields, lineNumber, labelColumn, displayName, features, labelTexts, labelLines);
        }

        if (labelTexts.Count == 0)
        {
            throw new DataFormatException(displayName, "has a header row but no data rows.");
        }

        var labels = CsvLabels.Encode(labelTexts, labelLines, labelColumn + 1, displayName);
        return new Dataset(displayName, [width - 1], features.ToArray(), labels.Ids, labels.ClassCount) { ClassNames = labels.Names };
    }

    private static (int Column, bool HasHeader) LocateLabel(List<string> first, int line, CsvOptions options, string fileName)
    {
        if (options.LabelName is not null && options.LabelIndex is not null)
        {
            throw new ArgumentException("Set LabelName or LabelIndex, not both.", nameof(options));
        }

        if (options.LabelName is { } name)
        {
            var named = first.FindIndex(field => string.Equals(field, name, StringComparison.OrdinalIgnoreCase));
            if (named < 0)
            {
                throw Error(fileName, line, null, $"has no column named '{name}'; the first row is: {string.Join(options.Separator, first)}. Name a header column, or give the label column by index.");
            }

            return (named, true);
        }

        var column = options.LabelIndex ?? first.Count - 1;
        if (column < 0 || column >= first.Count)
        {
            throw Error(fileName, line, null, $"has {first.Count} fields, so there is no label column at index {column} (0-based).");
        }

        var hasHeader = first.Where((_, i) => i != column).Any(field => !IsNumber(field));
        return (column, hasHeader);
    }

    private static void AddRow(List<string> fields, int line, int labelColumn, string fileName, List<float> features, List<string> labelTexts, List<int> labelLines)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i == labelColumn)
            {
                continue;
            }

            if (fields[i].Length == 0)
            {
                throw Error(fileName, line, i + 1, "the field is empty; every feature needs a number.");
            }

            if (!float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw Error(fileName, line, i + 1, $"'{fields[i]}' is not a number.");
            }

            if (!float.IsFinite(value))
            {
                throw Error(fileName, line, i + 1, $"'{fields[i]}' is not a finite number; features must be finite.");
            }

            features.Add(value);
        }

        if (fields[labelColumn].Length == 0)
        {
            throw Error(fileName, line, labelColumn + 1, "the label is empty.");
        }

        labelTexts.Add(fields[labelColumn]);
        labelLines.Add(line);
    }

    private static bool IsNumber(string field) =>
        float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value);

    internal static DataFormatException Error(string fileName, int line, int? column, string problem)
    {
        var place = column is { } c
            ? string.Create(CultureInfo.InvariantCulture, $"line {line}, column {c}: {problem}")
            : string.Create(CultureInfo.InvariantCulture, $"line {line} {problem}");
        return new DataFormatException(fileName, place) { Line = line, Column = column };
    }
}
