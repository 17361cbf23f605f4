using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Cli.Benchmarks;

/// <summary>
/// The seed CNN trained the same way by ClusterTrainer (`clustertrainer train`, the in-process cluster) and by
/// PyTorch DistributedDataParallel over gloo (Benchmarks/peer/ddp_cnn.py), each a fresh process or processes
/// reading the same IDX files, with the same workers x threads, global batch, optimizer, schedule and epochs;
/// interleaved and repeated; the medians of their training samples/s and the ClusterTrainer / PyTorch ratio.
/// Both count samples/s the same way: training samples over the seconds of the training steps, the first
/// steps' warm-up included, start-up, data loading and evaluation not.
/// </summary>
public sealed class PeerReportBenchmark(TrainingSettings settings, PeerData data, PeerInterpreter python, int repetitions, Action<string> progress)
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(30);

    public async Task<PeerReport> RunAsync(CancellationToken cancellationToken)
    {
        var loadBefore = LoadAverage();
        var ours = new List<RunSummary>();
        var theirs = new List<PeerRun>();
        for (var repetition = 0; repetition < repetitions; repetition++)
        {
            // Each side goes first every other repetition, so neither always inherits the other's leftovers (page cache, a busy neighbour).
            foreach (var pyTorchTurn in repetition % 2 == 0 ? new[] { false, true } : [true, false])
            {
                if (pyTorchTurn)
                {
                    theirs.Add(await RunPyTorchAsync(cancellationToken).ConfigureAwait(false));
                    progress(string.Create(CultureInfo.InvariantCulture, $"pytorch ddp ({theirs[^1].Backend}), {theirs[^1].Processes} processes x {theirs[^1].ThreadsPerProcess} thread(s): {theirs[^1].SamplesPerSecond:F0} samples/s, test accuracy {theirs[^1].TestAccuracy:P2}"));
                }
                else
                {
                    ours.Add(await RunClusterTrainerAsync(cancellationToken).ConfigureAwait(false));
                    progress(string.Create(CultureInfo.InvariantCulture, $"clustertrainer train, {settings.Workers} workers x {settings.Threads} thread(s): {ours[^1].SamplesPerSecond:F0} samples/s, test accuracy {ours[^1].TestAccuracy:P2}"));
                }
            }
        }

        var threads = settings.Threads!.Value;
        var rows = new[]
        {
            new PeerReportRow("clustertrainer train (in-process actor cluster)", settings.Workers, threads,
                Statistics.Median(ours.Select(r => r.SamplesPerSecond)), ours.Select(r => r.SamplesPerSecond).ToArray(), Statistics.Median(ours.Select(r => r.TestAccuracy))),
            new PeerReportRow($"pytorch {python.TorchVersion} distributed data parallel ({theirs[0].Backend})", theirs[0].Processes, theirs[0].ThreadsPerProcess,
                Statistics.Median(theirs.Select(r => r.SamplesPerSecond)), theirs.Select(r => r.SamplesPerSecond).ToArray(), Statistics.Median(theirs.Select(r => r.TestAccuracy))),
        };
        return new PeerReport("peer-report", "cnn", data.Description, data.TrainSamples, data.TestSamples, settings.Epochs, settings.BatchSize, settings.Workers, threads,
            Environment.ProcessorCount, Environment.MachineName, python.Path, python.TorchVersion, loadBefore, LoadAverage(), rows, rows[0].SamplesPerSecond / rows[1].SamplesPerSecond);
    }

    /// <summary>The 1, 5 and 15 minute load averages: a shared machine's load says how far to trust the numbers.</summary>
    /// <summary>The schedule's flags, the same for both sides (the cosine's shares only with cosine: train refuses them otherwise).</summary>
    private string[] Schedule(string scheduleFlag) => settings.Schedule == ScheduleKind.Cosine
        ? [scheduleFlag, "cosine", "--lr-warmup", Text(settings.LrWarmup), "--lr-decay", Text(settings.LrDecay), "--lr-floor", Text(settings.LrFloor)]
        : [scheduleFlag, "constant"];

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private async Task<RunSummary> RunClusterTrainerAsync(CancellationToken cancellationToken)
    {
        var output = Directory.CreateTempSubdirectory("clustertrainer-peer-");
        try
        {
            var start = WorkerProcesses.SelfCommand([
                "train", "--model", "cnn", "--data", data.Directory, "--epochs", Text(settings.Epochs),
                "--workers", Text(settings.Workers), "--threads", Text(settings.Threads!.Value),
                "--batch-size", Text(settings.BatchSize), "--lr", Text(settings.LearningRate), "--optimizer", "adam",
                .. Schedule("--lr-schedule"), "--dropout", Text(settings.Dropout), "--hidden", Text(settings.Hidden[0]),
                "--seed", Text(settings.Seed), "--out", output.FullName,
            ]);
            await RunToEndAsync(start, "clustertrainer train", cancellationToken).ConfigureAwait(false);
            return new RunDirectory(output.FullName).ReadSummary();
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private async Task<PeerRun> RunPyTorchAsync(CancellationToken cancellationToken)
    {
        var report = Path.Combine(Path.GetTempPath(), $"clustertrainer-peer-{Guid.NewGuid():N}.json");
        try
        {
            var start = new ProcessStartInfo(python.Path) { UseShellExecute = false };
            string[] arguments =
            [
                PeerPython.Script(), "--data", data.Directory, "--samples", int.MaxValue.ToString(CultureInfo.InvariantCulture),
                "--epochs", Text(settings.Epochs), "--processes", Text(settings.Workers), "--threads", Text(settings.Threads!.Value),
                "--batch-size", Text(settings.BatchSize), "--lr", Text(settings.LearningRate), "--adam-epsilon", Text(settings.AdamEpsilon),
                .. Schedule("--schedule"), "--dropout", Text(settings.Dropout), "--hidden", Text(settings.Hidden[0]),
                "--seed", Text(settings.Seed), "--out", report,
            ];
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            await RunToEndAsync(start, "the PyTorch peer", cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize<PeerRun>(await File.ReadAllTextAsync(report, cancellationToken).ConfigureAwait(false))
                ?? throw new InvalidDataException($"the PyTorch peer wrote an empty report {report}");
        }
        finally
        {
            File.Delete(report);
        }
    }

    /// <summary>Runs a benchmark process to its end; its output is kept for the error should it fail, and it is killed (with its children) past the limit.</summary>
    private static async Task RunToEndAsync(ProcessStartInfo start, string what, CancellationToken cancellationToken)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {what} ({start.FileName})");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(RunLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException($"{what} did not finish within {RunLimit.TotalMinutes:F0} minutes; ask for fewer --samples");
        }

        if (process.ExitCode != 0)
        {
            var printed = $"{await errors.ConfigureAwait(false)}{await output.ConfigureAwait(false)}".Trim();
            throw new InvalidOperationException($"{what} failed with exit code {process.ExitCode}: {Tail(printed)}");
        }
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : "..." + text[^4000..];

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>The IDX directory both sides read (<see cref="IdxSubset"/>), where it came from and how many images it holds.</summary>
public sealed record PeerData(string Directory, string Description, int TrainSamples, int TestSamples);

/// <summary>The interpreter that runs the peer and the torch version it imports.</summary>
public sealed record PeerInterpreter(string Path, string TorchVersion);

/// <summary>What one run of the PyTorch peer reports (ddp_cnn.py's JSON).</summary>
public sealed record PeerRun(
    [property: JsonPropertyName("torch_version")] string TorchVersion,
    [property: JsonPropertyName("processes")] int Processes,
    [property: JsonPropertyName("threads_per_process")] int ThreadsPerProcess,
    [property: JsonPropertyName("backend")] string Backend,
    [property: JsonPropertyName("samples")] long Samples,
    [property: JsonPropertyName("train_seconds")] double TrainSeconds,
    [property: JsonPropertyName("samples_per_second")] double SamplesPerSecond,
    [property: JsonPropertyName("mean_train_loss")] double MeanTrainLoss,
    [property: JsonPropertyName("test_samples")] int TestSamples,
    [property: JsonPropertyName("test_accuracy")] double TestAccuracy);

/// <summary>One side of the comparison: the median of its repetitions. Workers are actors in one process for ClusterTrainer, processes for PyTorch.</summary>
public sealed record PeerReportRow(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("workers")] int Workers,
    [property: JsonPropertyName("threads_per_worker")] int ThreadsPerWorker,
    [property: JsonPropertyName("samples_per_second")] double SamplesPerSecond,
    [property: JsonPropertyName("repetitions")] IReadOnlyList<double> Repetitions,
    [property: JsonPropertyName("test_accuracy")] double TestAccuracy);

public sealed record PeerReport(
    [property: JsonPropertyName("benchmark")] string Benchmark,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("data")] string Data,
    [property: JsonPropertyName("samples_per_run")] int SamplesPerRun,
    [property: JsonPropertyName("test_samples")] int TestSamples,
    [property: JsonPropertyName("epochs")] int Epochs,
    [property: JsonPropertyName("batch_size")] int BatchSize,
    [property: JsonPropertyName("workers")] int Workers,
    [property: JsonPropertyName("threads_per_worker")] int ThreadsPerWorker,
    [property: JsonPropertyName("cores")] int Cores,
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("python")] string Python,
    [property: JsonPropertyName("torch_version")] string TorchVersion,
    [property: JsonPropertyName("load_average_before")] string LoadAverageBefore,
    [property: JsonPropertyName("load_average_after")] string LoadAverageAfter,
    [property: JsonPropertyName("rows")] IReadOnlyList<PeerReportRow> Rows,
    [property: JsonPropertyName("ratio")] double Ratio);
