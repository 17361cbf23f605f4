using System.Buffers.Binary;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// The only framing of the data phase: one header per all-reduce call, then raw little-endian floats whose layout
/// both ends derive from the schedule. The header catches what would otherwise desynchronise the stream silently:
/// buffers of different lengths, or a rank that skipped a call.
/// </summary>
internal static class RingCallHeader
{
    public const int Bytes = 16;

    /// <summary>"CTRS" as little-endian bytes.</summary>
    private const uint Marker = 0x53525443;

    public static void Write(Span<byte> destination, long call, int length)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Marker);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], call);
    }

    /// <returns>Null when the left neighbour's header matches this rank's call; otherwise the mismatch, said of the neighbour.</returns>
    public static string? Check(ReadOnlySpan<byte> header, long call, int length, int rank)
    {
        var marker = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (marker != Marker)
        {
            return $"protocol error: it sent 0x{marker:X8} where rank {rank} expected the call marker 0x{Marker:X8}";
        }

        var peerLength = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        var peerCall = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        if (peerCall != call)
        {
            return $"it is at all-reduce call {peerCall}, rank {rank} at call {call}";
        }

        return peerLength == length ? null : $"it has {peerLength} gradient values, rank {rank} has {length}";
    }
}
