using System.Diagnostics;
using System.Net.Sockets;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// Moves one call's bytes through both of a rank's links from the calling thread: it sends whatever may be sent and
/// receives whatever has arrived, with non-blocking calls, and waits for either socket only when neither moved.
/// </summary>
/// <remarks>
/// One thread per rank, not a sender and a receiver: the worker's step thread does the exchange itself, with no
/// hand-offs between threads. On this 2-core machine both designs measured the same within noise (`bench --exchange`;
/// the copies in the kernel are the limit); this one adds no threads to a worker. Sending and receiving never wait on
/// each other, so full socket buffers cannot deadlock the ring.
/// </remarks>
internal static class RingPump
{
    // A wait is sliced so that a link closed under it (a cancellation, a disposal) is noticed within this long.
    private static readonly TimeSpan WaitSlice = TimeSpan.FromMilliseconds(100);

    /// <exception cref="ExchangeFailedException">A link failed, or nothing moved for <paramref name="timeout"/>.</exception>
    public static void Run(RingLink right, RingLink left, IRingOutgoing outgoing, IRingIncoming incoming, TimeSpan timeout)
    {
        var readable = new List<Socket>(1);
        var writable = new List<Socket>(1);
        var lastMoved = Stopwatch.GetTimestamp();
        while (!outgoing.Done || !incoming.Done)
        {
            var moved = false;
            var sendWaits = false;
            if (!outgoing.Done)
            {
                var data = outgoing.Next();
                if (!data.IsEmpty)
                {
                    var sent = right.SendSome(data, outgoing.Phase);
                    sendWaits = sent == 0;
                    if (sent > 0)
                    {
                        outgoing.Advance(sent);
                        moved = true;
                    }
                }
            }

            if (!incoming.Done)
            {
                var received = left.ReceiveSome(incoming.Next(), incoming.Phase);
                if (received > 0)
                {
                    incoming.Advance(received);
                    moved = true;
                }
            }

            if (moved)
            {
                lastMoved = Stopwatch.GetTimestamp();
                continue;
            }

            var idle = Stopwatch.GetElapsedTime(lastMoved);
            if (idle >= timeout)
            {
                throw new ExchangeFailedException(Stalled(right, left, outgoing, incoming, sendWaits, timeout));
            }

            readable.Clear();
            writable.Clear();
            if (!incoming.Done)
            {
                readable.Add(left.Socket);
            }

            if (sendWaits)
            {
                writable.Add(right.Socket);
            }

            var wait = TimeSpan.FromTicks(Math.Min(WaitSlice.Ticks, (timeout - idle).Ticks));
            Wait(readable, writable, wait, incoming.Done ? right.Describe(outgoing.Phase, "waiting to send") : left.Describe(incoming.Phase, "waiting to receive"));
        }
    }

    private static void Wait(List<Socket> readable, List<Socket> writable, TimeSpan wait, string what)
    {
        if (readable.Count == 0 && writable.Count == 0)
        {
            // Unreachable while the schedule holds: with every byte received, every byte may be sent.
            throw new InvalidOperationException($"{what}: the ring has nothing to wait for");
        }

        try
        {
            Socket.Select(readable.Count == 0 ? null : readable, writable.Count == 0 ? null : writable, null, Math.Max(1, (int)(wait.Ticks / 10)));
        }
        catch (Exception error) when (error is ObjectDisposedException or SocketException)
        {
            throw new ExchangeFailedException($"{what}: the exchange was closed", error);
        }
    }

    private static string Stalled(RingLink right, RingLink left, IRingOutgoing outgoing, IRingIncoming incoming, bool sendWaits, TimeSpan timeout)
    {
        var seconds = $"nothing moved for {timeout.TotalSeconds:0.###} s";
        if (incoming.Done)
        {
            return right.Describe(outgoing.Phase, $"{seconds} while sending");
        }

        return sendWaits
            ? left.Describe(incoming.Phase, $"{seconds} while receiving (sending to the {right.Peer} was blocked too)")
            : left.Describe(incoming.Phase, $"{seconds} while receiving");
    }
}
