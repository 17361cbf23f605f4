using System.Net.Sockets;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>Socket settings shared by the listener, the dialled and the accepted sockets of a ring.</summary>
internal static class RingSockets
{
    public static Socket Create(AddressFamily family, TcpRingOptions options)
    {
        var socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Buffer sizes must be set before connect or listen: the kernel picks the TCP window scale then.
            socket.SendBufferSize = options.SocketBufferBytes;
            socket.ReceiveBufferSize = options.SocketBufferBytes;
            socket.NoDelay = true;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The data phase drives both sockets of a rank from one thread with non-blocking calls (see <see cref="RingPump"/>),
    /// which bounds every wait itself. Nagle's algorithm would hold back the last partial packet of each chunk, so it is off.
    /// </summary>
    public static void PrepareForData(Socket socket)
    {
        socket.NoDelay = true;
        socket.Blocking = false;
    }
}
