using System.Net;
using System.Net.Sockets;

namespace ClusterTrainer.Core.Exchange.Tcp;

/// <summary>
/// One direction of the ring (to the right neighbour, or from the left one) with blocking, timed transfers whose
/// every failure becomes an <see cref="ExchangeFailedException"/> naming this rank, the peer and the phase.
/// </summary>
internal sealed class RingLink(Socket socket, int localRank, string role, int peerRank, EndPoint peerEndPoint, TimeSpan timeout)
    : IDisposable
{
    public string Peer => $"{role} rank {peerRank} ({peerEndPoint})";

    public void Send(ReadOnlySpan<byte> data, string phase)
    {
        try
        {
            while (!data.IsEmpty)
            {
                data = data[socket.Send(data, SocketFlags.None)..];
            }
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            throw Failure(phase, "sending", error);
        }
    }

    public void Receive(Span<byte> data, string phase)
    {
        try
        {
            while (!data.IsEmpty)
            {
                var received = socket.Receive(data, SocketFlags.None);
                if (received == 0)
                {
                    throw new ExchangeFailedException(Describe(phase, "the peer closed the connection"));
                }

                data = data[received..];
            }
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            throw Failure(phase, "receiving", error);
        }
    }

    public string Describe(string phase, string what) => $"rank {localRank} during {phase}, {Peer}: {what}";

    public void Dispose() => socket.Dispose();

    private ExchangeFailedException Failure(string phase, string action, Exception error)
    {
        var what = error switch
        {
            SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock } =>
                $"nothing moved for {timeout.TotalSeconds:0.###} s while {action}",
            SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown } =>
                $"the peer closed the connection while {action} ({error.Message})",
            ObjectDisposedException or SocketException { SocketErrorCode: SocketError.OperationAborted or SocketError.Interrupted } =>
                $"the exchange was closed on rank {localRank} while {action}",
            SocketException socketError => $"{action} failed: {socketError.SocketErrorCode} ({socketError.Message})",
            _ => $"{action} failed: {error.Message}",
        };
        return new ExchangeFailedException(Describe(phase, what), error);
    }
}
