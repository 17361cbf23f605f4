using System.Buffers.Binary;
using System.Text;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// What each end of a ring connection announces before any gradient flows. The wire layout starts with the magic and
/// the version, which never move, so a peer of another version is still recognised and refused by name.
/// </summary>
internal sealed record RingHello(ushort Version, int Rank, int WorldSize, string SessionId)
{
    /// <summary>"CTRG" as little-endian bytes: a stray client (an HTTP probe, a port scanner) fails on it at once.</summary>
    public const uint Magic = 0x47525443;

    public const ushort CurrentVersion = 1;

    /// <summary>Magic and version.</summary>
    public const int PrefixBytes = 6;

    /// <summary>Rank, world size and the session id's length.</summary>
    public const int FixedBodyBytes = 10;

    public byte[] Encode()
    {
        var session = Encoding.UTF8.GetBytes(SessionId);
        var bytes = new byte[PrefixBytes + FixedBodyBytes + session.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), Version);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(6), Rank);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), WorldSize);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(14), checked((ushort)session.Length));
        session.CopyTo(bytes.AsSpan(16));
        return bytes;
    }
}
