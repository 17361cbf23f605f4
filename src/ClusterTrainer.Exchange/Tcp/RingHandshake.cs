using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// Checks that the socket's other end is the neighbour this rank expects, in the same ring and the same session.
/// Both ends send a hello, judge the other's, then exchange verdicts; every refusal names both values.
/// </summary>
internal static class RingHandshake
{
    /// <param name="role">How this rank calls the peer in messages ("right neighbour", "left neighbour").</param>
    /// <returns>Null when both ends accepted; otherwise why the connection cannot be used.</returns>
    /// <exception cref="IOException">The connection broke during the handshake.</exception>
    public static Task<string?> RunAsync(
        Socket socket,
        RingHello local,
        int expectedPeerRank,
        string role,
        EndPoint? peerEndPoint,
        CancellationToken cancellationToken) =>
        RingSetupIo.OnOwnThread(() => Run(socket, local, expectedPeerRank, role, peerEndPoint, cancellationToken), cancellationToken);

    /// <summary>As <see cref="RunAsync"/>, on the calling thread, with no async socket call (see <see cref="RingSetupIo"/>).</summary>
    public static string? Run(
        Socket socket,
        RingHello local,
        int expectedPeerRank,
        string role,
        EndPoint? peerEndPoint,
        CancellationToken cancellationToken)
    {
        RingSetupIo.Write(socket, local.Encode(), cancellationToken);

        var problem = JudgePeer(socket, local, expectedPeerRank, role, peerEndPoint, cancellationToken);
        RingSetupIo.Write(socket, RingVerdict.Encode(problem), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var refusal = RingVerdict.Read(socket, cancellationToken);
        return refusal is null ? null : $"{role} rank {expectedPeerRank} at {peerEndPoint} refused rank {local.Rank}: {refusal}";
    }

    private static string? JudgePeer(
        Socket socket,
        RingHello local,
        int expectedPeerRank,
        string role,
        EndPoint? peerEndPoint,
        CancellationToken cancellationToken)
    {
        var prefix = new byte[RingHello.PrefixBytes];
        RingSetupIo.ReadExactly(socket, prefix, cancellationToken);
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        if (magic != RingHello.Magic)
        {
            return $"the peer at {peerEndPoint} is not a ClusterTrainer ring member (magic 0x{magic:X8}, expected 0x{RingHello.Magic:X8})";
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(4));
        if (version != local.Version)
        {
            return $"{role} at {peerEndPoint} speaks ring protocol version {version}, rank {local.Rank} speaks version {local.Version}";
        }

        var body = new byte[RingHello.FixedBodyBytes];
        RingSetupIo.ReadExactly(socket, body, cancellationToken);
        var rank = BinaryPrimitives.ReadInt32LittleEndian(body);
        var worldSize = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(4));
        var sessionBytes = BinaryPrimitives.ReadUInt16LittleEndian(body.AsSpan(8));
        if (sessionBytes > TcpRingOptions.MaxSessionIdBytes)
        {
            return $"{role} at {peerEndPoint} sent a session id of {sessionBytes} bytes, at most {TcpRingOptions.MaxSessionIdBytes} are allowed";
        }

        var session = new byte[sessionBytes];
        RingSetupIo.ReadExactly(socket, session, cancellationToken);
        var sessionId = Encoding.UTF8.GetString(session);

        if (sessionId != local.SessionId)
        {
            return $"{role} rank {rank} at {peerEndPoint} belongs to session '{sessionId}', rank {local.Rank} to session '{local.SessionId}'";
        }

        if (worldSize != local.WorldSize)
        {
            return $"{role} rank {rank} at {peerEndPoint} is in a ring of {worldSize} ranks, rank {local.Rank} in a ring of {local.WorldSize}";
        }

        if (rank != expectedPeerRank)
        {
            return $"rank {local.Rank} expected its {role} to be rank {expectedPeerRank}, but the peer at {peerEndPoint} is rank {rank}";
        }

        return null;
    }
}
