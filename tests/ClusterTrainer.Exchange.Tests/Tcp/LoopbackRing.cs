using System.Net;
using ClusterTrainer.Exchange.Tcp;

namespace ClusterTrainer.Exchange.Tests.Tcp;

/// <summary>
/// A whole TCP ring inside one process over 127.0.0.1: what benchmarks and tests use to exercise the network path
/// exactly as separate nodes would, addresses handed around here instead of by the control plane.
/// </summary>
public static class LoopbackRing
{
    /// <returns>One exchange per rank, indexed by rank; the caller disposes them.</returns>
    public static async Task<IReadOnlyList<TcpRingExchange>> ConnectAsync(
        int worldSize,
        TcpRingOptions options,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        var endpoints = new List<TcpRingEndpoint>();
        try
        {
            for (var rank = 0; rank < worldSize; rank++)
            {
                endpoints.Add(TcpRingEndpoint.Bind(IPAddress.Loopback, 0, options));
            }

            var ring = endpoints.Select(endpoint => endpoint.EndPoint).ToArray();
            var connecting = endpoints.Select((endpoint, rank) => endpoint.ConnectAsync(rank, ring, timeout, cancellationToken)).ToArray();
            await ((Task)Task.WhenAll(connecting)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            var failed = connecting.FirstOrDefault(task => !task.IsCompletedSuccessfully);
            if (failed is not null)
            {
                foreach (var connected in connecting.Where(task => task.IsCompletedSuccessfully))
                {
                    connected.Result.Dispose();
                }

                await failed.ConfigureAwait(false);
            }

            return connecting.Select(task => task.Result).ToArray();
        }
        finally
        {
            foreach (var endpoint in endpoints)
            {
                endpoint.Dispose();
            }
        }
    }
}
