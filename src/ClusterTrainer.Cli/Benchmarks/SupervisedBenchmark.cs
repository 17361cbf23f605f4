using Akka.Actor;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Threading;
using ClusterTrainer.Data;
using ClusterTrainer.Models;
using Serilog;

namespace ClusterTrainer.Cli.Benchmarks;

/// <summary>
/// Samples/s of (a) the plain TorchSharp loop, (b) the actor cluster with one worker and (c) with N workers,
/// measured in one run, interleaved, repeated, reported as medians and ratios to (a).
/// </summary>
public sealed class SupervisedBenchmark(TrainingSettings settings, DataSplit data, int repetitions, IReadOnlyList<int> workerCounts, Action<string> progress)
{
    public async Task<BenchmarkReport> RunAsync()
    {
        var cores = Environment.ProcessorCount;
        var measured = new Dictionary<string, (int Workers, int Threads, List<double> Rates)>();
        void Record(string name, int workers, int threads, double rate)
        {
            if (!measured.TryGetValue(name, out var entry))
            {
                measured[name] = entry = (workers, threads, []);
            }

            entry.Rates.Add(rate);
            progress($"{name}: {rate:F0} samples/s");
        }

        // One untimed pass warms up libtorch's kernels and the JIT so the first measured configuration is not penalised.
        await RunPlainAsync(cores, settings with { Epochs = 1 }, data.Train.Take(Math.Min(data.Train.Count, settings.BatchSize * 5))).ConfigureAwait(false);
        using var system = ActorSystem.Create("bench", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        for (var repetition = 0; repetition < repetitions; repetition++)
        {
            var (samples, seconds) = await RunPlainAsync(cores, settings, data.Train).ConfigureAwait(false);
            Record("plain TorchSharp loop", 1, cores, samples / seconds);
            foreach (var workers in workerCounts.Prepend(1).Distinct())
            {
                var configured = settings with { Workers = workers, Threads = null };
                var summary = await RunClusterAsync(system, configured, repetition).ConfigureAwait(false);
                Record($"actor cluster, {workers} worker{(workers == 1 ? string.Empty : "s")}", workers, configured.ThreadsPerWorker(cores), summary);
            }
        }

        await system.Terminate().ConfigureAwait(false);
        var plain = Statistics.Median(measured["plain TorchSharp loop"].Rates);
        var rows = measured.Select(m => new BenchmarkRow(m.Key, m.Value.Workers, m.Value.Threads, Statistics.Median(m.Value.Rates), m.Value.Rates, Statistics.Median(m.Value.Rates) / plain)).ToArray();
        return new BenchmarkReport("supervised", settings.Model.ToString().ToLowerInvariant(), data.Train.Count, settings.BatchSize, cores, Environment.MachineName, rows);
    }

    private static async Task<(long Samples, double Seconds)> RunPlainAsync(int threads, TrainingSettings settings, Dataset train)
    {
        // The loop runs on a thread of its own, as a worker's steps do, so both get the same thread treatment.
        using var thread = new DedicatedThread("plain-loop");
        return await thread.Run(() => PlainTrainingLoop.Run(settings, train, threads)).ConfigureAwait(false);
    }

    private async Task<double> RunClusterAsync(ActorSystem system, TrainingSettings configured, int repetition)
    {
        var directory = Directory.CreateTempSubdirectory("clustertrainer-bench-");
        try
        {
            var job = new TrainingJob($"bench-{configured.Workers}-{repetition}", configured, data, directory.FullName);
            var summary = await LocalTrainingCluster.RunAsync(system, job, Serilog.Core.Logger.None).ConfigureAwait(false);
            return summary.SamplesPerSecond;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
