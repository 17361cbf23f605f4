namespace ClusterTrainer.Data;

/// <summary>
/// Data the user pointed at (with --data or CLUSTERTRAINER_DATA) is missing or incomplete. It is an
/// error rather than a reason to fall back, so a typo never trains on data the user did not choose.
/// </summary>
public sealed class DataNotFoundException : Exception
{
    public DataNotFoundException(string path, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>The directory or file that is missing or lacks what is needed.</summary>
    public string Path { get; }
}
