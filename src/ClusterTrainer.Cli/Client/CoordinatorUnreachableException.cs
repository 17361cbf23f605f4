namespace ClusterTrainer.Cli.Client;

/// <summary>The coordinator's job API could not be reached, or stopped answering; the message says how to check it.</summary>
public sealed class CoordinatorUnreachableException : Exception
{
    public CoordinatorUnreachableException()
    {
    }

    public CoordinatorUnreachableException(string message)
        : base(message)
    {
    }

    public CoordinatorUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
