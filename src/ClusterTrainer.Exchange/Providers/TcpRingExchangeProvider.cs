using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ClusterTrainer.Exchange;
using ClusterTrainer.Exchange.Tcp;

namespace ClusterTrainer.Exchange.Providers;

/// <summary>
/// The network data plane: each job gets a TCP listener on this node; its "host:port" travels to the peers
/// over the control plane, and the workers then form a ring over direct connections.
/// </summary>
public sealed class TcpRingExchangeProvider(string bindHost, string advertisedHost) : IWorkerExchangeProvider
{
    private readonly ConcurrentDictionary<string, TcpRingEndpoint> _listeners = new();
    private readonly ConcurrentDictionary<string, TcpRingExchange> _exchanges = new();

    public string Prepare(string jobId, int rank, int worldSize)
    {
        var listener = TcpRingEndpoint.Bind(Resolve(bindHost), 0, new TcpRingOptions(jobId));
        if (!_listeners.TryAdd(jobId, listener))
        {
            listener.Dispose();
            throw new InvalidOperationException($"job {jobId} already has an exchange endpoint on this node");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{advertisedHost}:{listener.EndPoint.Port}");
    }

    public IGradientExchange Connect(string jobId, int rank, IReadOnlyList<string> endpoints, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (!_listeners.TryRemove(jobId, out var listener))
        {
            throw new ExchangeFailedException($"job {jobId}: this node prepared no exchange endpoint");
        }

        var ring = endpoints.Select(Parse).ToArray();
        var exchange = listener.ConnectAsync(rank, ring, timeout, CancellationToken.None).GetAwaiter().GetResult();
        _exchanges[jobId] = exchange;
        return exchange;
    }

    public void Release(string jobId, int rank, string reason)
    {
        if (_listeners.TryRemove(jobId, out var listener))
        {
            listener.Dispose();
        }

        // Closing the sockets makes peers blocked on this worker fail at once rather than at their timeout.
        if (_exchanges.TryRemove(jobId, out var exchange))
        {
            exchange.Dispose();
        }
    }

    private static IPEndPoint Parse(string endpoint)
    {
        var separator = endpoint.LastIndexOf(':');
        if (separator <= 0 || !int.TryParse(endpoint.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw new ExchangeFailedException($"'{endpoint}' is not a host:port exchange endpoint");
        }

        return new IPEndPoint(Resolve(endpoint[..separator]), port);
    }

    private static IPAddress Resolve(string host)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return address;
        }

        var addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new ExchangeFailedException($"the exchange host '{host}' does not resolve to an address");
    }
}
