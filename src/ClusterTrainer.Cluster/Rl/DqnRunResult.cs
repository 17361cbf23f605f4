using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Cluster.Rl;

/// <summary>One periodic greedy evaluation, and the state of training when it was asked for.</summary>
public sealed record DqnEvaluationRow(long EnvSteps, long Updates, long Episodes, double WallSeconds, double TrainMeanReturn, double EvalMeanReturn, double EnvStepsPerSecond);

/// <summary>Everything a finished DQN run produced; the CLI writes it to the run directory.</summary>
public sealed record DqnRunResult(
    DqnSettings Settings,
    int ObservationSize,
    int Actions,
    long EnvSteps,
    long Updates,
    double WallSeconds,
    IReadOnlyList<(long EnvStep, double Return)> Episodes,
    IReadOnlyList<DqnEvaluationRow> Evaluations,
    double TrainMeanReturn,
    long? SolvedAtStep,
    float[] KeptWeights,
    long KeptAtStep,
    double KeptPeriodicMean,
    double LastWeightsMeanReturn,
    double[] FinalEvalReturns)
{
    public double FinalEvalMean => FinalEvalReturns.Average();

    /// <summary>The Akka address of the node each collector ran on, by collector index.</summary>
    public IReadOnlyList<string> CollectorNodes { get; init; } = [];
}
