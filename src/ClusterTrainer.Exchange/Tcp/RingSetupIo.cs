using System.Net;
using System.Net.Sockets;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// A ring's connection set-up (connect, accept, handshake) with synchronous calls on non-blocking sockets, each wait a
/// poll of a short slice that checks the cancellation token, run on a thread of its own by the async callers.
/// </summary>
/// <remarks>
/// Why not the async socket methods: on Linux, .NET registers a socket with its epoll engine at the first async call
/// that has to wait, for good. The data phase then drives the socket with non-blocking calls (<see cref="RingPump"/>),
/// but every arrival still woke the engine's thread, which handed the event to the thread pool, whose workers spun
/// looking for more work: on 200 Mbit/s emulated links that cost 0.19 cores per rank and 160,000 context switches in
/// 5 s (perf stat), against 0.045 cores without it, and at 8 ranks on 2 cores it was what held the ring at 2-3 x the
/// bound (`bench --exchange --netlab 1gbit`). Sockets that never make an async call are never registered.
/// </remarks>
internal static class RingSetupIo
{
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(50);

    /// <summary>Runs <paramref name="work"/> on a thread of its own: it blocks in polls until done or cancelled.</summary>
    public static Task<T> OnOwnThread<T>(Func<T> work, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <exception cref="SocketException">The connection was refused or failed.</exception>
    public static void Connect(Socket socket, EndPoint endPoint, CancellationToken cancellationToken)
    {
        socket.Blocking = false;
        try
        {
            socket.Connect(endPoint);
            return;
        }
        catch (SocketException pending) when (pending.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            // The usual case: the handshake of TCP is under way.
        }

        while (!socket.Poll(Slice, SelectMode.SelectWrite) && !socket.Poll(0, SelectMode.SelectError))
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        var error = socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is int code ? (SocketError)code : SocketError.SocketError;
        if (error != SocketError.Success)
        {
            throw new SocketException((int)error);
        }
    }

    public static Socket Accept(Socket listener, CancellationToken cancellationToken)
    {
        listener.Blocking = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!listener.Poll(Slice, SelectMode.SelectRead))
            {
                continue;
            }

            try
            {
                var socket = listener.Accept();
                socket.Blocking = false;
                return socket;
            }
            catch (SocketException gone) when (gone.SocketErrorCode is SocketError.WouldBlock or SocketError.ConnectionAborted)
            {
                // The connection went away between the poll and the accept: wait for the next one.
            }
        }
    }

    /// <exception cref="IOException">The connection broke.</exception>
    public static void Write(Socket socket, ReadOnlySpan<byte> data, CancellationToken cancellationToken)
    {
        socket.Blocking = false;
        while (!data.IsEmpty)
        {
            var sent = socket.Send(data, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                Wait(socket, SelectMode.SelectWrite, cancellationToken);
                continue;
            }

            if (error != SocketError.Success)
            {
                throw new IOException($"sending failed: {error}", new SocketException((int)error));
            }

            data = data[sent..];
        }
    }

    /// <exception cref="EndOfStreamException">The peer closed the connection first.</exception>
    /// <exception cref="IOException">The connection broke.</exception>
    public static void ReadExactly(Socket socket, Span<byte> buffer, CancellationToken cancellationToken)
    {
        socket.Blocking = false;
        while (!buffer.IsEmpty)
        {
            var received = socket.Receive(buffer, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                Wait(socket, SelectMode.SelectRead, cancellationToken);
                continue;
            }

            if (error != SocketError.Success)
            {
                throw new IOException($"receiving failed: {error}", new SocketException((int)error));
            }

            if (received == 0)
            {
                throw new EndOfStreamException("the peer closed the connection");
            }

            buffer = buffer[received..];
        }
    }

    private static void Wait(Socket socket, SelectMode mode, CancellationToken cancellationToken)
    {
        while (!socket.Poll(Slice, mode))
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
    }
}
