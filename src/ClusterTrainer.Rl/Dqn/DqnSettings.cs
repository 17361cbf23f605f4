using ClusterTrainer.Rl.Environments;

namespace ClusterTrainer.Rl.Dqn;

/// <summary>
/// Everything a distributed DQN run needs, as one immutable record. <see cref="DefaultsFor"/> gives the
/// documented per-environment defaults (RL Baselines3 Zoo's tuned DQN hyperparameters where they exist);
/// <see cref="Validate"/> checks every value once, at the edge, with an error naming the setting.
/// </summary>
public sealed record DqnSettings
{
    /// <summary>Short environment name from <see cref="EnvironmentCatalog"/>.</summary>
    public string Environment { get; init; } = "cartpole";

    public int Collectors { get; init; } = 2;

    /// <summary>Environment copies each collector steps together (one batched forward pass per step).</summary>
    public int EnvsPerCollector { get; init; } = 4;

    /// <summary>The environment-step budget of the whole run, summed over every collector.</summary>
    public long Steps { get; init; } = 100_000;

    public int Seed { get; init; } = 1;

    public IReadOnlyList<int> Hidden { get; init; } = [256, 256];

    public double LearningRate { get; init; } = 2.3e-3;

    public int BatchSize { get; init; } = 64;

    public int BufferSize { get; init; } = 100_000;

    /// <summary>Transitions collected before the first gradient update.</summary>
    public long LearningStarts { get; init; } = 1000;

    public double Gamma { get; init; } = 0.99;

    /// <summary>
    /// Gradient updates between hard copies of the online network into the target network. The Zoo's
    /// "target_update_interval: 10" counts environment steps, and with train_freq 256 / 128 gradient steps
    /// the target then stays fixed through each block of 128 updates; 128 updates is that schedule.
    /// </summary>
    public int TargetUpdateInterval { get; init; } = 128;

    /// <summary>Gradient updates per collected transition (after <see cref="LearningStarts"/>).</summary>
    public double ReplayRatio { get; init; } = 0.5;

    public double MaxGradNorm { get; init; } = 10;

    /// <summary>Gradient updates between two weight broadcasts to the collectors.</summary>
    public int PublishInterval { get; init; } = 32;

    /// <summary>Vector steps per experience chunk; a chunk holds this times <see cref="EnvsPerCollector"/> transitions.</summary>
    public int ChunkSteps { get; init; } = 16;

    /// <summary>
    /// How many transitions the collectors may run ahead of what the replay ratio has consumed. This is
    /// what makes the ratio hold whatever the collectors' speed, and it bounds how stale their policy gets.
    /// </summary>
    public long MaxLag { get; init; } = 512;

    /// <summary>Share of each collector's budget over which its epsilon falls from 1 to its final value.</summary>
    public double ExplorationFraction { get; init; } = 0.16;

    /// <summary>The final epsilon of collector 0 (the Ape-X base); the others get powers of it.</summary>
    public double FinalEpsilon { get; init; } = 0.04;

    /// <summary>The Ape-X exponent; null picks one suited to the number of collectors (see <see cref="Exploration.CollectorEpsilon"/>).</summary>
    public double? EpsilonAlpha { get; init; }

    public bool Prioritized { get; init; }

    public double PriorityAlpha { get; init; } = 0.6;

    /// <summary>The importance-sampling exponent at the start; it is annealed to 1 over the run.</summary>
    public double PriorityBeta { get; init; } = 0.4;

    /// <summary>Environment steps between periodic greedy evaluations (which choose the kept weights).</summary>
    public long EvalInterval { get; init; } = 5000;

    public int EvalEpisodes { get; init; } = 50;

    /// <summary>Greedy episodes of the final evaluation reported as eval_mean_return.</summary>
    public int FinalEvalEpisodes { get; init; } = 100;

    /// <summary>The documented defaults for one environment.</summary>
    public static DqnSettings DefaultsFor(string environment)
    {
        var spec = EnvironmentCatalog.Get(environment);
        var defaults = new DqnSettings { Environment = spec.Name };
        return spec.Name switch
        {
            // Zoo: 1e5 steps, lr 6.3e-4, batch 128, buffer 50k, no warm-up, target every 250 updates,
            // train_freq 4 with one update per step, exploration 12% down to 0.1. The ratio is halved to
            // 0.5 to keep a run near two minutes on two cores.
            "acrobot" => defaults with
            {
                LearningRate = 6.3e-4,
                BatchSize = 128,
                BufferSize = 50_000,
                LearningStarts = 1000,
                TargetUpdateInterval = 250,
                ExplorationFraction = 0.12,
                FinalEpsilon = 0.1,
            },
            // Zoo: 1.2e5 steps, lr 4e-3, batch 128, buffer 10k, gamma 0.98, target every 600 updates,
            // train_freq 16 with 8 updates (ratio 0.5), exploration 20% down to 0.07.
            "mountaincar" => defaults with
            {
                Steps = 120_000,
                LearningRate = 4e-3,
                BatchSize = 128,
                BufferSize = 10_000,
                Gamma = 0.98,
                TargetUpdateInterval = 600,
                ExplorationFraction = 0.2,
                FinalEpsilon = 0.07,
            },
            _ => defaults,
        };
    }

    /// <summary>Checks every value; the exception's ParamName is the setting's command-line name.</summary>
    /// <exception cref="ArgumentException">naming the first setting that cannot be used.</exception>
    public DqnSettings Validate()
    {
        _ = EnvironmentCatalog.Get(Environment);
        Require(Collectors >= 1, "collectors", $"must be at least 1, got {Collectors}");
        Require(EnvsPerCollector >= 1, "envs-per-collector", $"must be at least 1, got {EnvsPerCollector}");
        Require(Steps >= (long)Collectors * EnvsPerCollector, "steps", $"must give every environment copy at least one step ({Collectors * EnvsPerCollector}), got {Steps}");
        Require(Hidden.Count >= 1 && Hidden.All(size => size >= 1), "hidden", "needs at least one positive layer size");
        Require(LearningRate > 0 && double.IsFinite(LearningRate), "lr", $"must be a positive number, got {LearningRate}");
        Require(BatchSize >= 1, "batch-size", $"must be at least 1, got {BatchSize}");
        Require(BufferSize >= BatchSize, "buffer-size", $"must hold at least one batch ({BatchSize}), got {BufferSize}");
        Require(LearningStarts >= 0, "learning-starts", $"must be at least 0, got {LearningStarts}");
        // Named by the steps: a person sets those (--steps), while the warm-up is the program's.
        Require(LearningStarts < Steps, "steps", $"must be more than the {LearningStarts} transitions collected before learning starts, got {Steps}");
        Require(Gamma >= 0 && Gamma <= 1, "gamma", $"must be in [0, 1], got {Gamma}");
        Require(TargetUpdateInterval >= 1, "target-update", $"must be at least 1, got {TargetUpdateInterval}");
        Require(ReplayRatio >= 0 && double.IsFinite(ReplayRatio), "replay-ratio", $"must be a finite number of at least 0, got {ReplayRatio}");
        Require(MaxGradNorm > 0, "max-grad-norm", $"must be greater than 0, got {MaxGradNorm}");
        Require(PublishInterval >= 1, "publish-interval", $"must be at least 1, got {PublishInterval}");
        Require(ChunkSteps >= 1, "chunk-steps", $"must be at least 1, got {ChunkSteps}");
        // With less than one update of slack, parked collectors could wait for a learner that has nothing to do.
        // Named by the replay ratio: a person sets that (--replay-ratio), while the lag is the program's.
        Require(ReplayRatio == 0 || MaxLag * ReplayRatio >= 1, "replay-ratio", $"must be 0 or give at least one update per {MaxLag} transitions the collectors may run ahead (at least {1.0 / MaxLag}), got {ReplayRatio}");
        Require(MaxLag >= (long)ChunkSteps * EnvsPerCollector, "max-lag", $"must hold at least one chunk ({ChunkSteps * EnvsPerCollector} transitions), got {MaxLag}");
        Require(ExplorationFraction >= 0 && ExplorationFraction <= 1, "exploration-fraction", $"must be in [0, 1], got {ExplorationFraction}");
        Require(FinalEpsilon >= 0 && FinalEpsilon <= 1, "final-epsilon", $"must be in [0, 1], got {FinalEpsilon}");
        Require(EpsilonAlpha is null || EpsilonAlpha >= 0, "epsilon-alpha", $"must be at least 0, got {EpsilonAlpha}");
        Require(PriorityAlpha >= 0, "priority-alpha", $"must be at least 0, got {PriorityAlpha}");
        Require(PriorityBeta >= 0 && PriorityBeta <= 1, "priority-beta", $"must be in [0, 1], got {PriorityBeta}");
        Require(EvalInterval >= 1, "eval-interval", $"must be at least 1, got {EvalInterval}");
        Require(EvalEpisodes >= 1, "eval-episodes", $"must be at least 1, got {EvalEpisodes}");
        Require(FinalEvalEpisodes >= 1, "final-eval-episodes", $"must be at least 1, got {FinalEvalEpisodes}");
        return this;
    }

    /// <summary>The share of <see cref="Steps"/> collector <paramref name="index"/> collects; the shares add up to exactly Steps.</summary>
    public long QuotaOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Collectors);
        return (Steps / Collectors) + (index < Steps % Collectors ? 1 : 0);
    }

    private static void Require(bool condition, string setting, string message)
    {
        if (!condition)
        {
            throw new ArgumentException($"--{setting} {message}.", setting);
        }
    }
}
