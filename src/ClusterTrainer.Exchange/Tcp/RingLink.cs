using System.Net;
using System.Net.Sockets;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// One direction of the ring (to the right neighbour, or from the left one) over a non-blocking socket: each call moves
/// what the kernel takes or has at once, and every failure becomes an <see cref="ExchangeFailedException"/> naming this
/// rank, the peer and the phase. Waiting for the socket is the <see cref="RingPump"/>'s business.
/// </summary>
internal sealed class RingLink(Socket socket, int localRank, string role, int peerRank, EndPoint peerEndPoint) : IDisposable
{
    public string Peer => $"{role} rank {peerRank} ({peerEndPoint})";

    public Socket Socket => socket;

    /// <summary>Bytes sent through this link so far (only its driving thread writes it).</summary>
    public long BytesSent { get; private set; }

    /// <summary>Bytes received through this link so far.</summary>
    public long BytesReceived { get; private set; }

    /// <returns>The bytes the kernel took, 0 when its send buffer is full.</returns>
    public int SendSome(ReadOnlySpan<byte> data, string phase)
    {
        int sent;
        SocketError error;
        try
        {
            sent = socket.Send(data, SocketFlags.None, out error);
        }
        catch (ObjectDisposedException disposed)
        {
            throw Failure(phase, "sending", disposed);
        }

        if (error == SocketError.Success)
        {
            BytesSent += sent;
        }

        return error switch
        {
            SocketError.Success => sent,
            SocketError.WouldBlock => 0,
            _ => throw Failure(phase, "sending", new SocketException((int)error)),
        };
    }

    /// <returns>The bytes that had arrived, 0 when none had.</returns>
    public int ReceiveSome(Span<byte> data, string phase)
    {
        int received;
        SocketError error;
        try
        {
            received = socket.Receive(data, SocketFlags.None, out error);
        }
        catch (ObjectDisposedException disposed)
        {
            throw Failure(phase, "receiving", disposed);
        }

        if (error == SocketError.Success)
        {
            BytesReceived += received;
        }

        return error switch
        {
            SocketError.Success when received == 0 && !data.IsEmpty =>
                throw new ExchangeFailedException(Describe(phase, "the peer closed the connection")),
            SocketError.Success => received,
            SocketError.WouldBlock => 0,
            _ => throw Failure(phase, "receiving", new SocketException((int)error)),
        };
    }

    public string Describe(string phase, string what) => $"rank {localRank} during {phase}, {Peer}: {what}";

    public void Dispose() => socket.Dispose();

    private ExchangeFailedException Failure(string phase, string action, Exception error)
    {
        var what = error switch
        {
            SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown } =>
                $"the peer closed the connection while {action} ({error.Message})",
            ObjectDisposedException or SocketException { SocketErrorCode: SocketError.OperationAborted or SocketError.Interrupted or SocketError.NotSocket } =>
                $"the exchange was closed on rank {localRank} while {action}",
            SocketException socketError => $"{action} failed: {socketError.SocketErrorCode} ({socketError.Message})",
            _ => $"{action} failed: {error.Message}",
        };
        return new ExchangeFailedException(Describe(phase, what), error);
    }
}
