using System.Net;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// An all-reduce over two rings (see <see cref="TwoLevelGrid"/>): this rank's row ring reduce-scatters the vector, its
/// column ring all-reduces the segment whose row sum this rank then holds, and the row ring all-gathers the segments.
/// Every rank ends with the same bits (the all-gather copies one rank's sums to all); the sum is added in another order
/// than one ring's, so it differs from it in the last bits, as one ring's does from the in-process sum.
/// </summary>
public sealed class TwoLevelExchange(TcpRingExchange row, TcpRingExchange column, int rank, int worldSize) : IGradientExchange, IExchangeTraffic, IDisposable
{
    public int Rank => rank;

    public int WorldSize => worldSize;

    public long BytesSent => row.BytesSent + column.BytesSent;

    public long BytesReceived => row.BytesReceived + column.BytesReceived;

    /// <summary>This rank's row ring (what a benchmark streams its baseline bytes on).</summary>
    public TcpRingExchange Row => row;

    /// <summary>
    /// Connects rank <paramref name="rank"/>'s two rings from its bound endpoints and every rank's pair of addresses, both
    /// at once (every rank dials and accepts on both, so neither ring waits for the other); bounded by the timeout.
    /// </summary>
    public static TwoLevelExchange Connect(
        TcpRingEndpoint rowEndpoint, TcpRingEndpoint columnEndpoint, TwoLevelGrid grid, int rank, IReadOnlyList<(IPEndPoint Row, IPEndPoint Column)> ranks, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(rowEndpoint);
        ArgumentNullException.ThrowIfNull(columnEndpoint);
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(ranks);
        var (rowMembers, rowPosition) = grid.RowOf(rank);
        var (columnMembers, columnPosition) = grid.ColumnOf(rank);
        var rowRing = Task.Run(() => rowEndpoint.ConnectAsync(rowPosition, [.. rowMembers.Select(m => ranks[m].Row)], timeout, CancellationToken.None));
        var columnRing = Task.Run(() => columnEndpoint.ConnectAsync(columnPosition, [.. columnMembers.Select(m => ranks[m].Column)], timeout, CancellationToken.None));
        Task.WhenAll(rowRing, columnRing).ContinueWith(_ => { }, TaskScheduler.Default).GetAwaiter().GetResult();
        if (!rowRing.IsCompletedSuccessfully || !columnRing.IsCompletedSuccessfully)
        {
            (rowRing.IsCompletedSuccessfully ? rowRing.Result : null)?.Dispose();
            (columnRing.IsCompletedSuccessfully ? columnRing.Result : null)?.Dispose();
            // Rethrows the first failure, as it was.
            (rowRing.IsCompletedSuccessfully ? columnRing : rowRing).GetAwaiter().GetResult();
        }

        return new TwoLevelExchange(rowRing.Result, columnRing.Result, rank, grid.WorldSize);
    }

    /// <summary>The session of rank <paramref name="rank"/>'s row ring and of its column ring, for a job's session id.</summary>
    public static (string Row, string Column) Sessions(string session, TwoLevelGrid grid, int rank)
    {
        ArgumentNullException.ThrowIfNull(grid);
        return ($"{session}/row{rank / grid.RowSize}", $"{session}/column{rank % grid.RowSize}");
    }

    public void AllReduceSum(GradientBuffer buffer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Reduce(RingVector.Of(buffer), cancellationToken);
    }

    public void AllReduceSum(long[] values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        Reduce(RingVector.Of(values), cancellationToken);
    }

    public void AllReduceSum(Compact.Bf16Vector values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        Reduce(RingVector.Of(values), cancellationToken);
    }

    private void Reduce(RingVector vector, CancellationToken cancellationToken)
    {
        row.Run(vector, RingPhase.ReduceScatter, cancellationToken);
        var (offset, count) = row.OwnedAfterReduceScatter(vector);
        column.Run(vector.Part(offset, count), RingPhase.AllReduce, cancellationToken);
        row.Run(vector, RingPhase.AllGather, cancellationToken);
    }

    /// <summary>Closes both rings' sockets, so every peer blocked on this rank fails at once.</summary>
    public void Dispose()
    {
        row.Dispose();
        column.Dispose();
    }
}
