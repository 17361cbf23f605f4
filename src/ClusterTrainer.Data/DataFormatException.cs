namespace ClusterTrainer.Data;

/// <summary>
/// A data file exists but its contents cannot be used. The message names the file and the problem,
/// so callers can show it to the user as it is.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string filePath, string problem, Exception? innerException = null)
        : base($"{filePath}: {problem}", innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The file at fault, or the display name it was read under when it came from a stream.</summary>
    public string FilePath { get; }

    /// <summary>1-based line of a text file where the problem is, when it is on one line.</summary>
    public int? Line { get; init; }

    /// <summary>1-based column (field) of <see cref="Line"/> where the problem is, when it is in one field.</summary>
    public int? Column { get; init; }
}
