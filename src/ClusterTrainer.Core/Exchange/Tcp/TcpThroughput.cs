using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ClusterTrainer.Core.Exchange.Tcp;

/// <summary>
/// Raw TCP bandwidth between a listener and a client on loopback: the yardstick the ring exchange is compared to
/// (<see cref="RingBound"/>). One stream, blocking calls, large writes: as close to the wire as .NET gets.
/// </summary>
public static class TcpThroughput
{
    private const int WriteBytes = 1024 * 1024;
    private const int SocketBufferBytes = 4 * 1024 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <returns>The median over <paramref name="repetitions"/> transfers of <paramref name="bytes"/>, in MiB/s.</returns>
    public static async Task<double> MeasureAsync(long bytes, int repetitions, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        using var listener = CreateSocket();
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = CreateSocket();
        var accepting = listener.AcceptAsync(cancellationToken).AsTask();
        await client.ConnectAsync(listener.LocalEndPoint!, cancellationToken).ConfigureAwait(false);
        using var server = await accepting.WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
        server.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
        client.SendTimeout = (int)Timeout.TotalMilliseconds;

        var samples = new double[repetitions];
        for (var i = 0; i < repetitions; i++)
        {
            var clock = Stopwatch.StartNew();
            var sending = Task.Factory.StartNew(() => Send(client, bytes), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            Receive(server, bytes);
            await sending.WaitAsync(Timeout, cancellationToken).ConfigureAwait(false);
            samples[i] = bytes / (1024.0 * 1024.0) / clock.Elapsed.TotalSeconds;
        }

        Array.Sort(samples);
        return samples[repetitions / 2];
    }

    private static Socket CreateSocket() => new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
    {
        NoDelay = true,
        SendBufferSize = SocketBufferBytes,
        ReceiveBufferSize = SocketBufferBytes,
    };

    private static void Send(Socket socket, long bytes)
    {
        var block = new byte[WriteBytes];
        for (var left = bytes; left > 0;)
        {
            var sent = socket.Send(block.AsSpan(0, (int)Math.Min(left, block.Length)));
            left -= sent;
        }
    }

    private static void Receive(Socket socket, long bytes)
    {
        var block = new byte[WriteBytes];
        for (var left = bytes; left > 0;)
        {
            var received = socket.Receive(block.AsSpan(0, (int)Math.Min(left, block.Length)));
            if (received == 0)
            {
                throw new IOException($"the sender closed the connection with {left} bytes outstanding");
            }

            left -= received;
        }
    }
}
