namespace ClusterTrainer.Cluster.Hosting;

/// <summary>A training job ended in failure; the message says why.</summary>
public sealed class TrainingFailedException : Exception
{
    public TrainingFailedException()
    {
    }

    public TrainingFailedException(string message)
        : base(message)
    {
    }

    public TrainingFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
