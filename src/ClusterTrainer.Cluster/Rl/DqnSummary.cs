using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Cluster.Rl;

/// <summary>summary.json of a DQN run (snake_case through RunJson).</summary>
public sealed record DqnSummary
{
    public required string Env { get; init; }

    public required string EnvId { get; init; }

    public required int Collectors { get; init; }

    public required int EnvsPerCollector { get; init; }

    /// <summary>The Akka address of the node each collector ran on (the coordinator's own in one process).</summary>
    public IReadOnlyList<string> CollectorNodes { get; init; } = [];

    public required long EnvSteps { get; init; }

    public required double WallSeconds { get; init; }

    public required double EnvStepsPerSecond { get; init; }

    public required long Updates { get; init; }

    public required double UpdatesPerSecond { get; init; }

    public required int Episodes { get; init; }

    /// <summary>Mean return of the last 100 training (exploring) episodes.</summary>
    public required double TrainMeanReturnLast100 { get; init; }

    /// <summary>Greedy mean return of the kept weights over EvalEpisodes fresh-seed episodes.</summary>
    public required double EvalMeanReturn { get; init; }

    public required int EvalEpisodes { get; init; }

    public required double EvalStdReturn { get; init; }

    /// <summary>How the evaluated weights were chosen, in words.</summary>
    public required string EvalWeights { get; init; }

    public required long KeptAtStep { get; init; }

    public required double KeptPeriodicMeanReturn { get; init; }

    /// <summary>The last weights' greedy mean over the periodic number of episodes, for comparison.</summary>
    public required double LastWeightsMeanReturn { get; init; }

    public required long? SolvedAtStep { get; init; }

    public required int Seed { get; init; }

    public required DqnSettings Settings { get; init; }

    public static DqnSummary From(DqnRunResult result, string envId)
    {
        ArgumentNullException.ThrowIfNull(result);
        var returns = result.FinalEvalReturns;
        var mean = returns.Average();
        return new DqnSummary
        {
            Env = result.Settings.Environment,
            EnvId = envId,
            Collectors = result.Settings.Collectors,
            EnvsPerCollector = result.Settings.EnvsPerCollector,
            CollectorNodes = result.CollectorNodes,
            EnvSteps = result.EnvSteps,
            WallSeconds = result.WallSeconds,
            EnvStepsPerSecond = result.EnvSteps / Math.Max(1e-9, result.WallSeconds),
            Updates = result.Updates,
            UpdatesPerSecond = result.Updates / Math.Max(1e-9, result.WallSeconds),
            Episodes = result.Episodes.Count,
            TrainMeanReturnLast100 = result.TrainMeanReturn,
            EvalMeanReturn = mean,
            EvalEpisodes = returns.Length,
            EvalStdReturn = Math.Sqrt(returns.Average(r => (r - mean) * (r - mean))),
            EvalWeights = "the best of the periodic greedy evaluations and of the last weights (ties go to the later), evaluated again on fresh seeds",
            KeptAtStep = result.KeptAtStep,
            KeptPeriodicMeanReturn = result.KeptPeriodicMean,
            LastWeightsMeanReturn = result.LastWeightsMeanReturn,
            SolvedAtStep = result.SolvedAtStep,
            Seed = result.Settings.Seed,
            Settings = result.Settings,
        };
    }
}
