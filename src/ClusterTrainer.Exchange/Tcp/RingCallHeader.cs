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

    /// <summary>"CTRS" as little-endian bytes: a call that sums float32 values.</summary>
    private const uint Marker = 0x53525443;

    /// <summary>"CTRL" as little-endian bytes: a call that sums int64 values (the exact, deterministic mode).</summary>
    private const uint Int64Marker = 0x4C525443;

    // The marker names the element, so a float call meeting an int64 call (workers that disagree on --deterministic)
    // is refused by name instead of adding bytes of one kind to the other.
    public static void Write(Span<byte> destination, long call, int length, int elementBytes = sizeof(float))
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, MarkerFor(elementBytes));
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], call);
    }

    /// <returns>Null when the left neighbour's header matches this rank's call; otherwise the mismatch, said of the neighbour.</returns>
    public static string? Check(ReadOnlySpan<byte> header, long call, int length, int rank, int elementBytes = sizeof(float))
    {
        var marker = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var expected = MarkerFor(elementBytes);
        if (marker is Marker or Int64Marker && marker != expected)
        {
            return $"it sums {KindOf(marker)} values, rank {rank} {KindOf(expected)} values (are the workers' --deterministic settings the same?)";
        }

        if (marker != expected)
        {
            return $"protocol error: it sent 0x{marker:X8} where rank {rank} expected the call marker 0x{expected:X8}";
        }

        var peerLength = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        var peerCall = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        if (peerCall != call)
        {
            return $"it is at all-reduce call {peerCall}, rank {rank} at call {call}";
        }

        return peerLength == length ? null : $"it has {peerLength} gradient values, rank {rank} has {length}";
    }

    private static uint MarkerFor(int elementBytes) => elementBytes == sizeof(long) ? Int64Marker : Marker;

    private static string KindOf(uint marker) => marker == Int64Marker ? "int64" : "float32";
}
