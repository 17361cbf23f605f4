namespace ClusterTrainer.Core.Exchange.Tcp;

/// <summary>One buffer size and ring size: the median time of an all-reduce and the bandwidth bound it is held to.</summary>
public sealed record ExchangeMeasurement(int Floats, int WorldSize, double MedianSeconds, double BoundSeconds)
{
    public long Bytes => (long)Floats * sizeof(float);

    /// <summary>Time over the bound; 1.0 would be a ring moving data at raw TCP speed with free reduction.</summary>
    public double Ratio => BoundSeconds > 0 ? MedianSeconds / BoundSeconds : double.NaN;
}

public sealed record ExchangeBenchmarkReport(double RawMiBPerSecond, IReadOnlyList<ExchangeMeasurement> Results);
