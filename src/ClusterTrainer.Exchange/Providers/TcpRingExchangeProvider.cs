using System.Collections.Concurrent;
using ClusterTrainer.Core;
using ClusterTrainer.Exchange;
using ClusterTrainer.Exchange.Tcp;

namespace ClusterTrainer.Exchange.Providers;

/// <summary>
/// The network data plane: each job gets a TCP listener on this node; its "host:port" travels to the peers
/// over the control plane, and the workers then form a ring over direct connections. A hierarchical job gets two
/// listeners, "host:rowPort+columnPort", one for its row ring and one for its column ring (see <see cref="TwoLevelGrid"/>).
/// </summary>
public sealed class TcpRingExchangeProvider(string bindHost, string advertisedHost) : IWorkerExchangeProvider
{
    private readonly ConcurrentDictionary<string, Prepared> _listeners = new();
    private readonly ConcurrentDictionary<string, IDisposable> _exchanges = new();

    public string Prepare(string jobId, int rank, int worldSize, AllReduceKind kind = AllReduceKind.Ring)
    {
        var grid = kind == AllReduceKind.Hierarchical ? TwoLevelGrid.For(worldSize) : null;
        var address = ExchangeEndpoint.Resolve(bindHost);
        Prepared prepared;
        if (grid is null)
        {
            prepared = new Prepared(TcpRingEndpoint.Bind(address, 0, new TcpRingOptions(jobId)), null, null);
        }
        else
        {
            var (rowSession, columnSession) = TwoLevelExchange.Sessions(jobId, grid, rank);
            prepared = new Prepared(TcpRingEndpoint.Bind(address, 0, new TcpRingOptions(rowSession)), TcpRingEndpoint.Bind(address, 0, new TcpRingOptions(columnSession)), grid);
        }

        if (!_listeners.TryAdd(jobId, prepared))
        {
            prepared.Dispose();
            throw new InvalidOperationException($"job {jobId} already has an exchange endpoint on this node");
        }

        return ExchangeEndpoint.Format(advertisedHost, prepared.Row.EndPoint.Port, prepared.Column?.EndPoint.Port);
    }

    public IGradientExchange Connect(string jobId, int rank, IReadOnlyList<string> endpoints, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (!_listeners.TryRemove(jobId, out var prepared))
        {
            throw new ExchangeFailedException($"job {jobId}: this node prepared no exchange endpoint");
        }

        var parsed = endpoints.Select(ExchangeEndpoint.Parse).ToArray();
        try
        {
            if (prepared.Grid is not { } grid)
            {
                var exchange = prepared.Row.ConnectAsync(rank, [.. parsed.Select(e => e.Row)], timeout, CancellationToken.None).GetAwaiter().GetResult();
                _exchanges[jobId] = exchange;
                return exchange;
            }

            if (parsed.Any(e => e.Column is null))
            {
                throw new ExchangeFailedException($"job {jobId}: a hierarchical all-reduce needs two ports per worker, but got the endpoints {string.Join(", ", endpoints)}");
            }

            var twoLevel = TwoLevelExchange.Connect(prepared.Row, prepared.Column!, grid, rank, [.. parsed.Select(e => (e.Row, e.Column!))], timeout);
            _exchanges[jobId] = twoLevel;
            return twoLevel;
        }
        finally
        {
            prepared.Dispose();
        }
    }

    public void Release(string jobId, int rank, string reason)
    {
        if (_listeners.TryRemove(jobId, out var prepared))
        {
            prepared.Dispose();
        }

        // Closing the sockets makes peers blocked on this worker fail at once rather than at their timeout.
        if (_exchanges.TryRemove(jobId, out var exchange))
        {
            exchange.Dispose();
        }
    }

    /// <summary>The listeners a worker opened before it knows its peers: one ring's, or a row's and a column's.</summary>
    private sealed record Prepared(TcpRingEndpoint Row, TcpRingEndpoint? Column, TwoLevelGrid? Grid) : IDisposable
    {
        public void Dispose()
        {
            Row.Dispose();
            Column?.Dispose();
        }
    }
}
