namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// The least time a ring all-reduce can take when bandwidth is the limit: each node sends (and receives)
/// 2(N-1)/N of the buffer, and no all-reduce moves less per node. Benchmarks report their time as a ratio to it.
/// </summary>
public static class RingBound
{
    public static double Seconds(long bytes, int world, double bytesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(world, 1);
        if (!(bytesPerSecond > 0) || double.IsInfinity(bytesPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(bytesPerSecond), bytesPerSecond, "must be a positive, finite rate");
        }

        return 2.0 * (world - 1) / world * bytes / bytesPerSecond;
    }

    /// <summary>What each node sends (and receives) in one all-reduce of <paramref name="bytes"/>: 2(N-1)/N of them.</summary>
    public static int BytesPerNode(long bytes, int world)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(world, 1);
        return checked((int)Math.Round(2.0 * (world - 1) / world * bytes));
    }
}
