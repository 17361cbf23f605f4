using System.Buffers.Binary;
using System.Text;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// Each end's answer to the other's hello. Some checks only one end can make (each knows which rank it expects), so
/// a refusal travels back with its reason and both ends report the same mismatch.
/// </summary>
internal static class RingVerdict
{
    private const int MaxReasonBytes = 4096;

    public static byte[] Encode(string? refusal)
    {
        var reason = Encoding.UTF8.GetBytes(Truncate(refusal ?? string.Empty));
        var bytes = new byte[3 + reason.Length];
        bytes[0] = refusal is null ? (byte)0 : (byte)1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(1), checked((ushort)reason.Length));
        reason.CopyTo(bytes.AsSpan(3));
        return bytes;
    }

    /// <returns>Null when the peer accepted; otherwise its reason.</returns>
    public static string? Read(System.Net.Sockets.Socket socket, CancellationToken cancellationToken)
    {
        var head = new byte[3];
        RingSetupIo.ReadExactly(socket, head, cancellationToken);
        var reason = new byte[BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(1))];
        RingSetupIo.ReadExactly(socket, reason, cancellationToken);
        return head[0] == 0 ? null : Encoding.UTF8.GetString(reason);
    }

    /// <summary>As <see cref="Read"/>, from a stream: what a client that is not a ring member sees.</summary>
    public static async Task<string?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new byte[3];
        await stream.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
        var reason = new byte[BinaryPrimitives.ReadUInt16LittleEndian(head.AsSpan(1))];
        await stream.ReadExactlyAsync(reason, cancellationToken).ConfigureAwait(false);
        return head[0] == 0 ? null : Encoding.UTF8.GetString(reason);
    }

    private static string Truncate(string text) =>
        Encoding.UTF8.GetByteCount(text) <= MaxReasonBytes ? text : text[..(MaxReasonBytes / 4)];
}
