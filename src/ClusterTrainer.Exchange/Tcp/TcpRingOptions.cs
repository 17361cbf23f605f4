using System.Text;
using ClusterTrainer.Core;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>How a node takes part in a TCP ring all-reduce. Every member of one ring uses the same session id.</summary>
public sealed record TcpRingOptions
{
    public const int MaxSessionIdBytes = 1024;

    public TcpRingOptions(string sessionId)
    {
        SessionId = sessionId;
    }

    /// <summary>
    /// Names the job (and attempt) the ring belongs to, so a worker holding stale addresses from another job
    /// is refused at the handshake instead of mixing its gradients into this one.
    /// </summary>
    public string SessionId { get; }

    /// <summary>The longest a rank's links may move nothing, either way, before the step is aborted.</summary>
    public TimeSpan IoTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Unit of pipelining: a node forwards (and reduces) a segment chunk by chunk, so its right neighbour starts on
    /// the first chunk while later ones are still arriving.
    /// </summary>
    public int ChunkBytes { get; init; } = 256 * 1024;

    /// <summary>Kernel send and receive buffer per socket; large enough to keep a chunk or two in flight.</summary>
    public int SocketBufferBytes { get; init; } = 1024 * 1024;

    /// <summary>Checks every value once, at the edge, and names the setting that is wrong.</summary>
    public TcpRingOptions Validate()
    {
        Require(!string.IsNullOrEmpty(SessionId), nameof(SessionId), "must not be empty");
        Require(
            Encoding.UTF8.GetByteCount(SessionId ?? string.Empty) <= MaxSessionIdBytes,
            nameof(SessionId),
            $"must be at most {MaxSessionIdBytes} UTF-8 bytes");
        Require(
            IoTimeout > TimeSpan.Zero && IoTimeout.TotalMilliseconds <= int.MaxValue,
            nameof(IoTimeout),
            $"must be positive and below {int.MaxValue} ms (got {IoTimeout})");
        Require(
            ChunkBytes is >= 4 * 1024 and <= 64 * 1024 * 1024 && ChunkBytes % sizeof(float) == 0,
            nameof(ChunkBytes),
            $"must be a multiple of 4 between 4 KiB and 64 MiB (got {ChunkBytes})");
        Require(
            SocketBufferBytes is >= 16 * 1024 and <= 256 * 1024 * 1024,
            nameof(SocketBufferBytes),
            $"must be between 16 KiB and 256 MiB (got {SocketBufferBytes})");
        return this;
    }

    private static void Require(bool condition, string setting, string message)
    {
        if (!condition)
        {
            throw new SettingsException(setting, message);
        }
    }
}
