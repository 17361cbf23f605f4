namespace ClusterTrainer.Exchange;

/// <summary>The all-reduce of a step could not complete; the step is aborted, never left waiting.</summary>
public sealed class ExchangeFailedException : Exception
{
    public ExchangeFailedException()
    {
    }

    public ExchangeFailedException(string message)
        : base(message)
    {
    }

    public ExchangeFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
