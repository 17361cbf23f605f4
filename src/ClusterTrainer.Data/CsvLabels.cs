using System.Globalization;

namespace ClusterTrainer.Data;

/// <summary>
/// Turns the label column into class ids. Labels that are all non-negative integers are the ids
/// themselves; otherwise each distinct text is a class, numbered in order of first appearance so
/// the mapping is stable for a given file.
/// </summary>
internal static class CsvLabels
{
    // An integer label becomes an output unit of the model, so a stray large number (an ID column
    // taken for the label) would silently build a huge layer; refuse it instead.
    private const int MaxIntegerLabel = 9_999;

    public static (int[] Ids, int ClassCount, IReadOnlyList<string>? Names) Encode(List<string> texts, List<int> lines, int column, string fileName)
    {
        var ids = new int[texts.Count];
        var allIntegers = true;
        for (var i = 0; i < texts.Count && allIntegers; i++)
        {
            allIntegers = int.TryParse(texts[i], NumberStyles.None, CultureInfo.InvariantCulture, out ids[i]);
            if (allIntegers && ids[i] > MaxIntegerLabel)
            {
                throw CsvReader.Error(fileName, lines[i], column, $"label {ids[i]} is too large for a class id (at most {MaxIntegerLabel}); if the column holds codes rather than class ids, make them non-numeric so they are read as class names.");
            }
        }

        if (allIntegers)
        {
            var classCount = ids.Max() + 1;
            RequireTwoClasses(ids.Distinct().Count(), texts[0], fileName);
            return (ids, classCount, null);
        }

        var names = new List<string>();
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < texts.Count; i++)
        {
            if (!byName.TryGetValue(texts[i], out var id))
            {
                id = names.Count;
                byName.Add(texts[i], id);
                names.Add(texts[i]);
            }

            ids[i] = id;
        }

        RequireTwoClasses(names.Count, texts[0], fileName);
        return (ids, names.Count, names);
    }

    private static void RequireTwoClasses(int distinct, string example, string fileName)
    {
        if (distinct < 2)
        {
            throw new DataFormatException(fileName, $"every row has the label '{example}'; a classifier needs at least two classes. Check that the right column is the label.");
        }
    }
}
