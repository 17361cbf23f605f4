namespace ClusterTrainer.Cli;

/// <summary>What a person is shown of an exception: its message without the native stack frames libtorch appends.</summary>
public static class ErrorText
{
    private static readonly string[] NativeTraceStarts = ["Exception raised from ", "frame #"];

    public static string ForPeople(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return ForPeople(error.Message);
    }

    /// <summary>
    /// libtorch errors carry dozens of lines of C++ frames ("Exception raised from ... frame #0: ..."), which say
    /// nothing to a user; the sentence before them says what went wrong.
    /// </summary>
    public static string ForPeople(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var cut = NativeTraceStarts
            .Select(start => message.IndexOf(start, StringComparison.Ordinal))
            .Where(index => index >= 0)
            .DefaultIfEmpty(message.Length)
            .Min();
        return string.Join(' ', message[..cut].Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }
}
