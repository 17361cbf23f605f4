using System.Diagnostics;
using System.Globalization;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Data;

namespace ClusterTrainer.Cli.Benchmarks;

/// <summary>
/// The same training job on the in-process cluster and on a real multi-process cluster (`clustertrainer
/// cluster`: a coordinator process and N worker processes), interleaved and repeated; samples/s of the
/// training steps, medians, and the multi-process / in-process ratio.
/// </summary>
public sealed class ClusterProcessBenchmark(TrainingSettings settings, int repetitions, Action<string> progress)
{
    public async Task<BenchmarkReport> RunAsync(CancellationToken cancellationToken)
    {
        var inProcess = new List<double>();
        var multiProcess = new List<double>();
        var data = new DataLocator().Load(settings.Data, settings.Seed);
        data = settings.Limit is { } limit ? data with { Train = data.Train.Take(limit) } : data;
        using var system = Akka.Actor.ActorSystem.Create("bench", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");

        // An untimed one-epoch run warms this process up; each multi-process run starts cold and pays its own
        // start-up inside its timing, as a real job would.
        var warmup = Directory.CreateTempSubdirectory("clustertrainer-bench-");
        try
        {
            var job = new Cluster.Coordination.TrainingJob("bench-warmup", settings with { Epochs = 1 }, data, warmup.FullName);
            await Cluster.Hosting.LocalTrainingCluster.RunAsync(system, job, Serilog.Core.Logger.None, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            warmup.Delete(recursive: true);
        }

        for (var repetition = 0; repetition < repetitions; repetition++)
        {
            var local = Directory.CreateTempSubdirectory("clustertrainer-bench-");
            try
            {
                var job = new Cluster.Coordination.TrainingJob($"bench-local-{repetition}", settings, data, local.FullName);
                var summary = await Cluster.Hosting.LocalTrainingCluster.RunAsync(system, job, Serilog.Core.Logger.None, cancellationToken: cancellationToken).ConfigureAwait(false);
                inProcess.Add(summary.SamplesPerSecond);
                progress($"in-process, {settings.Workers} workers: {summary.SamplesPerSecond:F0} samples/s");
            }
            finally
            {
                local.Delete(recursive: true);
            }

            var remote = Directory.CreateTempSubdirectory("clustertrainer-bench-");
            try
            {
                multiProcess.Add(await RunClusterCommandAsync(remote.FullName, cancellationToken).ConfigureAwait(false));
                progress($"{settings.Workers} worker processes: {multiProcess[^1]:F0} samples/s");
            }
            finally
            {
                remote.Delete(recursive: true);
            }
        }

        await system.Terminate().ConfigureAwait(false);
        var baseline = Median(inProcess);
        var rows = new[]
        {
            new BenchmarkRow($"in-process cluster, {settings.Workers} workers", settings.Workers, settings.ThreadsPerWorker(Environment.ProcessorCount), baseline, inProcess, 1.0),
            new BenchmarkRow($"multi-process cluster, {settings.Workers} worker processes", settings.Workers, settings.ThreadsPerWorker(Environment.ProcessorCount), Median(multiProcess), multiProcess, Median(multiProcess) / baseline),
        };
        return new BenchmarkReport("cluster", settings.Model.ToString().ToLowerInvariant(), data.Train.Count, settings.BatchSize, Environment.ProcessorCount, Environment.MachineName, rows);
    }

    private async Task<double> RunClusterCommandAsync(string directory, CancellationToken cancellationToken)
    {
        var arguments = new List<string>
        {
            "cluster", "--model", settings.Model.ToString().ToLowerInvariant(), "--workers", settings.Workers.ToString(CultureInfo.InvariantCulture),
            "--epochs", settings.Epochs.ToString(CultureInfo.InvariantCulture), "--batch-size", settings.BatchSize.ToString(CultureInfo.InvariantCulture),
            "--seed", settings.Seed.ToString(CultureInfo.InvariantCulture), "--out", directory,
        };
        if (settings.Data is { } path)
        {
            arguments.AddRange(["--data", path]);
        }

        if (settings.Limit is { } limit)
        {
            arguments.AddRange(["--limit", limit.ToString(CultureInfo.InvariantCulture)]);
        }

        var start = WorkerProcesses.SelfCommand(arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start `clustertrainer cluster`");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limitTime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limitTime.CancelAfter(TimeSpan.FromMinutes(20));
        await process.WaitForExitAsync(limitTime.Token).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`clustertrainer cluster` failed with exit code {process.ExitCode}: {await errors.ConfigureAwait(false)}{await output.ConfigureAwait(false)}");
        }

        return new RunDirectory(directory).ReadSummary().SamplesPerSecond;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
