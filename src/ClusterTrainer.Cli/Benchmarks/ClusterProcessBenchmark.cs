using System.Diagnostics;
using System.Globalization;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Data;

namespace ClusterTrainer.Cli.Benchmarks;

/// <summary>
/// The same training job run the two ways a user runs it, each as a fresh process (so both pay their own
/// start-up and warm-up): `clustertrainer train` (the in-process cluster) and `clustertrainer cluster` (a
/// coordinator process and N worker processes); interleaved, repeated, medians of the training samples/s,
/// and the multi-process / in-process ratio.
/// </summary>
public sealed class ClusterProcessBenchmark(TrainingSettings settings, int repetitions, Action<string> progress)
{
    public async Task<BenchmarkReport> RunAsync(CancellationToken cancellationToken)
    {
        var inProcess = new List<double>();
        var multiProcess = new List<double>();
        for (var repetition = 0; repetition < repetitions; repetition++)
        {
            inProcess.Add(await RunCommandAsync("train", cancellationToken).ConfigureAwait(false));
            progress($"train (one process), {settings.Workers} workers: {inProcess[^1]:F0} samples/s");
            multiProcess.Add(await RunCommandAsync("cluster", cancellationToken).ConfigureAwait(false));
            progress($"cluster ({settings.Workers} worker processes): {multiProcess[^1]:F0} samples/s");
        }

        var baseline = Statistics.Median(inProcess);
        var threads = settings.ThreadsPerWorker(Environment.ProcessorCount);
        var rows = new[]
        {
            new BenchmarkRow($"train, in-process cluster, {settings.Workers} workers", settings.Workers, threads, baseline, inProcess, 1.0),
            new BenchmarkRow($"cluster, {settings.Workers} worker processes", settings.Workers, threads, Statistics.Median(multiProcess), multiProcess, Statistics.Median(multiProcess) / baseline),
        };
        return new BenchmarkReport("cluster", settings.Model.ToString().ToLowerInvariant(), settings.Limit ?? 0, settings.BatchSize, Environment.ProcessorCount, Environment.MachineName, rows);
    }

    /// <summary>Runs `train` or `cluster` as a fresh process, as a user would, and reads its summary.</summary>
    private async Task<double> RunCommandAsync(string command, CancellationToken cancellationToken)
    {
        var output = Directory.CreateTempSubdirectory("clustertrainer-bench-");
        try
        {
            return await RunCommandAsync(command, output.FullName, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private async Task<double> RunCommandAsync(string command, string directory, CancellationToken cancellationToken)
    {
        var arguments = new List<string>
        {
            command, "--model", settings.Model.ToString().ToLowerInvariant(), "--workers", settings.Workers.ToString(CultureInfo.InvariantCulture),
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
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start `clustertrainer {command}`");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var limitTime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limitTime.CancelAfter(TimeSpan.FromMinutes(20));
        await process.WaitForExitAsync(limitTime.Token).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`clustertrainer {command}` failed with exit code {process.ExitCode}: {await errors.ConfigureAwait(false)}{await output.ConfigureAwait(false)}");
        }

        return new RunDirectory(directory).ReadSummary().SamplesPerSecond;
    }
}
