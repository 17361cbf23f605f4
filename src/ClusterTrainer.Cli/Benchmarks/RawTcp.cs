using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ClusterTrainer.Cli.Benchmarks;

/// <summary>
/// Raw TCP between two processes, the baseline the ring is measured against: the receiver asks for a number of bytes,
/// the source sends them in 1 MiB blocks, the receiver times their arrival. One stream, nothing else on it.
/// </summary>
public static class RawTcp
{
    /// <summary>Asks the connected source for <paramref name="bytes"/> <paramref name="repetitions"/> times; the first is a warm-up.</summary>
    /// <returns>The median rate of the timed repetitions, MiB/s.</returns>
    public static double MeasureReceiving(Socket socket, long bytes, int repetitions)
    {
        ArgumentNullException.ThrowIfNull(socket);
        socket.ReceiveBufferSize = 4 << 20;
        socket.ReceiveTimeout = 30_000;
        var block = new byte[1 << 20];
        var rates = new List<double>();
        for (var repetition = 0; repetition < repetitions; repetition++)
        {
            var clock = Stopwatch.StartNew();
            socket.Send(BitConverter.GetBytes(bytes));
            for (var left = bytes; left > 0;)
            {
                var received = socket.Receive(block);
                if (received == 0)
                {
                    throw new IOException("the raw TCP source closed the connection");
                }

                left -= received;
            }

            if (repetition > 0)
            {
                rates.Add(bytes / 1048576.0 / clock.Elapsed.TotalSeconds);
            }
        }

        socket.Shutdown(SocketShutdown.Both);
        return Statistics.Median(rates);
    }

    /// <summary>Connects to the receiver (retrying for 30 s while it starts) and sends what it asks for until it closes.</summary>
    public static async Task ServeAsync(IPEndPoint receiver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = 4 << 20 };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await socket.ConnectAsync(receiver, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        var block = new byte[1 << 20];
        var request = new byte[8];
        while (socket.Receive(request) == 8)
        {
            for (var left = BitConverter.ToInt64(request); left > 0;)
            {
                left -= socket.Send(block.AsSpan(0, (int)Math.Min(left, block.Length)));
            }
        }
    }
}
