namespace ClusterTrainer.Data;

/// <summary>Which column of a CSV file holds the label; with neither set, it is the last column.</summary>
public sealed record CsvOptions
{
    /// <summary>Header name of the label column (matched ignoring case); the file must then have a header row.</summary>
    public string? LabelName { get; init; }

    /// <summary>0-based index of the label column.</summary>
    public int? LabelIndex { get; init; }

    public char Separator { get; init; } = ',';
}
