using System.Diagnostics;
using System.Text.Json.Serialization;
using Akka.Actor;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core.Threading;
using ClusterTrainer.Models.Dqn;
using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Environments;
using ClusterTrainer.Rl.Exploration;
using ClusterTrainer.Rl.Replay;
using TorchSharp;

namespace ClusterTrainer.Cli.Benchmarks;

/// <summary>One measured DQN configuration: the median rate of its repetitions and its ratio to the baseline of its kind.</summary>
public sealed record DqnBenchmarkRow(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("collectors")] int Collectors,
    [property: JsonPropertyName("replay_ratio")] double ReplayRatio,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("rate")] double Rate,
    [property: JsonPropertyName("repetitions")] IReadOnlyList<double> Repetitions,
    [property: JsonPropertyName("baseline")] string Baseline,
    [property: JsonPropertyName("ratio_to_baseline")] double RatioToBaseline);

public sealed record DqnBenchmarkReport(
    [property: JsonPropertyName("benchmark")] string Benchmark,
    [property: JsonPropertyName("env")] string Env,
    [property: JsonPropertyName("steps_per_run")] long StepsPerRun,
    [property: JsonPropertyName("envs_per_collector")] int EnvsPerCollector,
    [property: JsonPropertyName("cores")] int Cores,
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("rows")] IReadOnlyList<DqnBenchmarkRow> Rows);

/// <summary>
/// CartPole throughput of the DQN actors, measured in one run and interleaved: env steps/s of the
/// collectors alone (replay ratio 0, so nothing holds them back) with 1, 2 and 4 collectors; env steps/s
/// of full training (the default ratio 0.5) with 1 and 2 collectors; and the learner's updates/s on its
/// own. Each kind is compared with its 1-collector (or single) baseline.
/// </summary>
public sealed class DqnBenchmark(long steps, int repetitions, Action<string> progress)
{
    private static readonly int[] CollectorCounts = [1, 2, 4];
    private static readonly int[] TrainingCollectorCounts = [1, 2];

    public async Task<DqnBenchmarkReport> RunAsync()
    {
        var defaults = DqnSettings.DefaultsFor("cartpole");
        var measured = new Dictionary<string, (int Collectors, double Ratio, string Unit, List<double> Rates)>();
        void Record(string name, int collectors, double ratio, string unit, double rate)
        {
            if (!measured.TryGetValue(name, out var entry))
            {
                measured[name] = entry = (collectors, ratio, unit, []);
            }

            entry.Rates.Add(rate);
            progress($"{name}: {rate:F0} {unit}");
        }

        using var system = ActorSystem.Create("bench-dqn", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        // An untimed run warms up the JIT and libtorch so the first measured configuration is not penalised.
        await RunAsync(system, defaults, 1, 0, Math.Min(steps, 2000)).ConfigureAwait(false);
        for (var repetition = 0; repetition < repetitions; repetition++)
        {
            foreach (var collectors in CollectorCounts)
            {
                Record(CollectingName(collectors), collectors, 0, "env steps/s", await RunAsync(system, defaults, collectors, 0, steps).ConfigureAwait(false));
            }

            foreach (var collectors in TrainingCollectorCounts)
            {
                Record(TrainingName(collectors), collectors, defaults.ReplayRatio, "env steps/s", await RunAsync(system, defaults, collectors, defaults.ReplayRatio, steps / 2).ConfigureAwait(false));
            }

            Record("learner alone, batch 64", 0, 0, "updates/s", await LearnerUpdatesPerSecondAsync(defaults).ConfigureAwait(false));
        }

        await system.Terminate().ConfigureAwait(false);
        var rows = measured.Select(m =>
        {
            var baseline = m.Value.Unit == "updates/s" ? m.Key : m.Value.Ratio == 0 ? CollectingName(1) : TrainingName(1);
            var rate = Statistics.Median(m.Value.Rates);
            return new DqnBenchmarkRow(m.Key, m.Value.Collectors, m.Value.Ratio, m.Value.Unit, rate, m.Value.Rates, baseline, rate / Statistics.Median(measured[baseline].Rates));
        }).ToArray();
        return new DqnBenchmarkReport("dqn", "cartpole", steps, defaults.EnvsPerCollector, Environment.ProcessorCount, Environment.MachineName, rows);
    }

    private static string CollectingName(int collectors) => $"collectors only, {collectors} collector{(collectors == 1 ? string.Empty : "s")}";

    private static string TrainingName(int collectors) => $"full DQN training, {collectors} collector{(collectors == 1 ? string.Empty : "s")}";

    private static async Task<double> RunAsync(ActorSystem system, DqnSettings defaults, int collectors, double ratio, long steps)
    {
        // Evaluation is reduced to one episode at the end, so the rate is the collectors' and the learner's.
        var settings = defaults with { Collectors = collectors, ReplayRatio = ratio, Steps = steps, EvalInterval = long.MaxValue / 2, EvalEpisodes = 1, FinalEvalEpisodes = 1 };
        var result = await LocalDqnCluster.RunAsync(system, settings, Serilog.Core.Logger.None).ConfigureAwait(false);
        return result.EnvSteps / result.WallSeconds;
    }

    private static async Task<double> LearnerUpdatesPerSecondAsync(DqnSettings settings)
    {
        using var thread = new DedicatedThread("bench-learner", () => torch.set_num_threads(1));
        return await thread.Run(() =>
        {
            // A buffer of random CartPole play, so batches look like the real ones.
            var buffer = new ReplayBuffer(10_000, 4);
            var collector = new ExperienceCollector(() => new CartPole(), 4, 1, new CollectorEpsilon(0, 1, 1.0, null, 0, 10_000), 10_000);
            var chunk = collector.Collect(2500, (_, rows) => new float[rows * 2]);
            buffer.AddRange(chunk.Observations, chunk.Actions, chunk.Rewards, chunk.NextObservations, chunk.Terminated);
            using var learner = new DqnLearner(4, 2, settings);
            var batch = new ReplayBatch(settings.BatchSize, 4);
            var random = new Random(1);
            for (var i = 0; i < 100; i++)
            {
                buffer.SampleUniform(random, batch);
                learner.Update(batch);
            }

            const int updates = 2000;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < updates; i++)
            {
                buffer.SampleUniform(random, batch);
                learner.Update(batch);
            }

            return updates / clock.Elapsed.TotalSeconds;
        }).ConfigureAwait(false);
    }
}
