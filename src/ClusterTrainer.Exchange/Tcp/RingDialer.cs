using System.Net;
using System.Net.Sockets;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// Connects a rank to its right neighbour. Ranks start at different times, so a refused or failed connection is
/// retried until the deadline; a handshake refusal is a configuration error and ends the attempt at once.
/// </summary>
internal static class RingDialer
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LastBackoff = TimeSpan.FromMilliseconds(250);

    /// <param name="deadline">Cancelled when the connect timeout expires (or the caller gives up).</param>
    public static async Task<Socket> ConnectAsync(
        RingHello local,
        int rightRank,
        IPEndPoint right,
        TcpRingOptions options,
        TimeSpan timeout,
        CancellationToken deadline)
    {
        var backoff = FirstBackoff;
        var lastError = "no attempt finished";
        while (true)
        {
            var socket = RingSockets.Create(right.AddressFamily, options);
            try
            {
                // Not ConnectAsync: a socket that makes an async call is registered with .NET's epoll engine for good (see RingSetupIo).
                var refusal = await RingSetupIo.OnOwnThread(
                    () =>
                    {
                        RingSetupIo.Connect(socket, right, deadline);
                        return RingHandshake.Run(socket, local, rightRank, "right neighbour", right, deadline);
                    },
                    deadline).ConfigureAwait(false);
                if (refusal is not null)
                {
                    throw new ExchangeFailedException($"rank {local.Rank} cannot join the ring: {refusal}");
                }

                RingSockets.PrepareForData(socket);
                return socket;
            }
            catch (Exception error) when (error is SocketException or IOException)
            {
                socket.Dispose();
                lastError = error.Message;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                socket.Dispose();
                throw Unreachable(local, rightRank, right, timeout, lastError);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            try
            {
                await Task.Delay(backoff, deadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw Unreachable(local, rightRank, right, timeout, lastError);
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, LastBackoff.Ticks));
        }
    }

    private static ExchangeFailedException Unreachable(RingHello local, int rightRank, IPEndPoint right, TimeSpan timeout, string lastError) =>
        new($"rank {local.Rank} could not connect to its right neighbour rank {rightRank} at {right} " +
            $"within {timeout.TotalSeconds:0.###} s (last error: {lastError})");
}
