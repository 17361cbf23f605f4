using System.Net;
using System.Net.Sockets;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// Waits for the left neighbour on the listener. A connection that fails the handshake (a stray client, a worker of
/// another session holding stale addresses) is dropped and the wait goes on: it must not cost the ring its place.
/// The last refusal is kept, so a timeout still says what went wrong.
/// </summary>
internal static class RingAcceptor
{
    /// <param name="deadline">Cancelled when the connect timeout expires (or the caller gives up).</param>
    public static async Task<Socket> AcceptAsync(
        Socket listener,
        RingHello local,
        int leftRank,
        IPEndPoint left,
        TimeSpan timeout,
        CancellationToken deadline)
    {
        string? lastRefusal = null;
        while (true)
        {
            Socket socket;
            try
            {
                // Not AcceptAsync and an async handshake: see RingSetupIo.
                socket = await RingSetupIo.OnOwnThread(() => RingSetupIo.Accept(listener, deadline), deadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                var refusal = lastRefusal is null ? string.Empty : $"; refused a connection because {lastRefusal}";
                throw new ExchangeFailedException(
                    $"rank {local.Rank} got no valid connection from its left neighbour rank {leftRank} ({left}) " +
                    $"within {timeout.TotalSeconds:0.###} s{refusal}");
            }

            try
            {
                var problem = await RingHandshake.RunAsync(socket, local, leftRank, "left neighbour", socket.RemoteEndPoint, deadline).ConfigureAwait(false);
                if (problem is null)
                {
                    RingSockets.PrepareForData(socket);
                    return socket;
                }

                lastRefusal = problem;
            }
            catch (Exception error) when (error is SocketException or IOException)
            {
                lastRefusal = $"the handshake with {socket.RemoteEndPoint} broke ({error.Message})";
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                // The loop's next accept reports the timeout with the last refusal.
            }

            socket.Dispose();
        }
    }
}
