namespace ClusterTrainer.Exchange;

/// <summary>
/// Bytes an exchange has moved over the network so far (read on the thread that drives it). Implemented by exchanges
/// that cross processes; the in-process exchange moves none.
/// </summary>
public interface IExchangeTraffic
{
    long BytesSent { get; }

    long BytesReceived { get; }
}
