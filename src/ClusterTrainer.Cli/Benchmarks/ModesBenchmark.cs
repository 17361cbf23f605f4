using System.Text.Json.Serialization;
using Akka.Actor;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core;
using ClusterTrainer.Data;

namespace ClusterTrainer.Cli.Benchmarks;

/// <summary>
/// Samples/s of one job in several training modes (the default, <c>--deterministic</c>, ...) on the in-process actor
/// cluster, measured in one run, interleaved mode by mode within each repetition, reported as medians and as ratios to
/// the first mode (the baseline measured alongside).
/// </summary>
public sealed class ModesBenchmark(IReadOnlyList<(string Name, TrainingSettings Settings)> modes, DataSplit data, int repetitions, Action<string> progress)
{
    public async Task<ModesReport> RunAsync()
    {
        var rates = modes.Select(_ => new List<double>()).ToArray();
        using var system = ActorSystem.Create("bench-modes", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");

        // One untimed run of each mode warms up libtorch's kernels and the JIT for all of them.
        foreach (var (_, settings) in modes)
        {
            await RunAsync(system, settings, data with { Train = data.Train.Take(Math.Min(data.Train.Count, settings.BatchSize * 5)) }, "warm-up").ConfigureAwait(false);
        }

        for (var repetition = 0; repetition < repetitions; repetition++)
        {
            for (var m = 0; m < modes.Count; m++)
            {
                var rate = await RunAsync(system, modes[m].Settings, data, $"{m}-{repetition}").ConfigureAwait(false);
                rates[m].Add(rate);
                progress($"{modes[m].Name}: {rate:F0} samples/s");
            }
        }

        await system.Terminate().ConfigureAwait(false);
        var baseline = Statistics.Median(rates[0]);
        var cores = Environment.ProcessorCount;
        var rows = modes.Select((mode, m) => new ModesRow(
            mode.Name, mode.Settings.Workers, mode.Settings.ThreadsPerWorker(cores), Statistics.Median(rates[m]), rates[m], Statistics.Median(rates[m]) / baseline)).ToArray();
        var first = modes[0].Settings;
        return new ModesReport("modes", first.Model.ToString().ToLowerInvariant(), data.Train.Count, first.BatchSize, cores, Environment.MachineName, modes[0].Name, rows);
    }

    private static async Task<double> RunAsync(ActorSystem system, TrainingSettings settings, DataSplit data, string name)
    {
        var directory = Directory.CreateTempSubdirectory("clustertrainer-bench-modes-");
        try
        {
            var job = new TrainingJob($"bench-modes-{name}", settings, data, directory.FullName);
            var summary = await LocalTrainingCluster.RunAsync(system, job, Serilog.Core.Logger.None).ConfigureAwait(false);
            return summary.SamplesPerSecond;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

/// <summary>One mode: the median of its repetitions and its ratio to the baseline mode (the report's first row).</summary>
public sealed record ModesRow(
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("workers")] int Workers,
    [property: JsonPropertyName("threads_per_worker")] int ThreadsPerWorker,
    [property: JsonPropertyName("samples_per_second")] double SamplesPerSecond,
    [property: JsonPropertyName("repetitions")] IReadOnlyList<double> Repetitions,
    [property: JsonPropertyName("ratio_to_baseline")] double RatioToBaseline);

public sealed record ModesReport(
    [property: JsonPropertyName("benchmark")] string Benchmark,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("samples_per_run")] int SamplesPerRun,
    [property: JsonPropertyName("batch_size")] int BatchSize,
    [property: JsonPropertyName("cores")] int Cores,
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("baseline")] string Baseline,
    [property: JsonPropertyName("rows")] IReadOnlyList<ModesRow> Rows);
