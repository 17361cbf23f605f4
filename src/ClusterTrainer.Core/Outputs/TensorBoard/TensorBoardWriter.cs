namespace ClusterTrainer.Core.Outputs.TensorBoard;

/// <summary>
/// Appends scalars to a TensorBoard event file (`events.out.tfevents.&lt;unix time&gt;.&lt;host&gt;.&lt;pid&gt;.&lt;n&gt;`) in
/// a run's directory, so `tensorboard --logdir runs` shows every run while it trains.
/// </summary>
/// <remarks>
/// Unlike the run's other files this one is appended to, not replaced: TensorBoard follows an event file by reading
/// on from where it stopped, which a rename would break. A crash can leave at most a torn last record, which the
/// record's checksums tell apart and readers skip. TorchSharp's own SummaryWriter was not used: in 0.107 it stamps the
/// file's first event with .NET ticks and every later one with float32 seconds (2-minute resolution), which breaks
/// TensorBoard's wall-time and relative-time axes.
/// </remarks>
public sealed class TensorBoardWriter : IDisposable
{
    public const string FilePrefix = "events.out.tfevents.";

    private static int _files;
    private readonly FileStream _stream;
    private readonly TimeProvider _clock;

    public TensorBoardWriter(string directory, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _clock = clock ?? TimeProvider.System;
        Directory.CreateDirectory(directory);
        var now = _clock.GetUtcNow();
        // TensorBoard reads every file of a directory whose name starts with the prefix; the rest keeps names unique.
        Path = System.IO.Path.Combine(directory,
            $"{FilePrefix}{now.ToUnixTimeSeconds()}.{Environment.MachineName}.{Environment.ProcessId}.{Interlocked.Increment(ref _files)}");
        _stream = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        TfRecord.Write(_stream, TensorBoardEvent.FileVersionEvent(UnixSeconds(now)));
        _stream.Flush();
    }

    public string Path { get; }

    public void Scalars(long step, IReadOnlyList<(string Tag, double Value)> scalars)
    {
        ArgumentNullException.ThrowIfNull(scalars);
        if (scalars.Count > 0)
        {
            TfRecord.Write(_stream, TensorBoardEvent.ScalarsEvent(UnixSeconds(_clock.GetUtcNow()), step, scalars));
        }
    }

    /// <summary>Hands what was written to the operating system, where TensorBoard can read it.</summary>
    public void Flush() => _stream.Flush();

    public void Dispose() => _stream.Dispose();

    private static double UnixSeconds(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).TotalSeconds;
}
