namespace ClusterTrainer.Core.Checkpoints;

/// <summary>A checkpoint that cannot be used: names the file and what is wrong with it.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(CheckpointProblem problem, string path, string detail)
        : base($"checkpoint {path}: {Describe(problem)}: {detail}")
    {
        Problem = problem;
        Path = path;
    }

    public CheckpointException()
    {
        Path = string.Empty;
    }

    public CheckpointException(string message)
        : base(message)
    {
        Path = string.Empty;
    }

    public CheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = string.Empty;
    }

    public CheckpointProblem Problem { get; }

    public string Path { get; }

    private static string Describe(CheckpointProblem problem) => problem switch
    {
        CheckpointProblem.Missing => "no checkpoint",
        CheckpointProblem.NotACheckpoint => "not a checkpoint",
        CheckpointProblem.Truncated => "truncated",
        CheckpointProblem.Corrupt => "corrupt",
        CheckpointProblem.WrongVersion => "wrong format version",
        CheckpointProblem.WrongSettings => "other settings",
        _ => problem.ToString(),
    };
}
