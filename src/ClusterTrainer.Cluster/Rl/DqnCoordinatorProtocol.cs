namespace ClusterTrainer.Cluster.Rl;

/// <summary>Progress for people: sent to the listener at most every few hundred environment steps.</summary>
public sealed record DqnProgressed(long EnvSteps, long TotalSteps, long Episodes, double TrainMeanReturn, long Updates, double EnvStepsPerSecond, double? LastEvalMean);

public sealed record DqnEvaluated(DqnEvaluationRow Row);

public sealed record DqnRunCompleted(DqnRunResult Result);

public sealed record DqnRunFailed(string Reason);

public sealed class CancelDqnRun
{
    public static readonly CancelDqnRun Instance = new();

    private CancelDqnRun()
    {
    }
}
