namespace ClusterTrainer.Cli.Benchmarks;

/// <summary>
/// A temporary directory for the output of the processes a benchmark starts: removed when the measurement succeeds,
/// kept when it fails, with its path added to the error, since then that output is what explains it.
/// </summary>
public static class LogDirectory
{
    /// <param name="holds">What the directory holds, for the error ("node logs", say).</param>
    public static async Task<T> RunAsync<T>(string prefix, string holds, Func<string, Task<T>> measure)
    {
        ArgumentNullException.ThrowIfNull(measure);
        var directory = Directory.CreateTempSubdirectory(prefix);
        try
        {
            var result = await measure(directory.FullName).ConfigureAwait(false);
            directory.Delete(recursive: true);
            return result;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{error.Message} ({holds} in {directory.FullName})", error);
        }
    }
}
