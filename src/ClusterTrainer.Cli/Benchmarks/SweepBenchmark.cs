using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Serialization;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli.Client;
using ClusterTrainer.Cli.Processes;
using Spectre.Console;

namespace ClusterTrainer.Cli.Benchmarks;

/// <summary>The sweep benchmark's result: the same jobs one after another, then all at once, on the same cluster.</summary>
public sealed record SweepBenchmarkReport(
    [property: JsonPropertyName("benchmark")] string Benchmark,
    [property: JsonPropertyName("jobs")] int Jobs,
    [property: JsonPropertyName("worker_nodes")] int WorkerNodes,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("epochs")] int Epochs,
    [property: JsonPropertyName("cores")] int Cores,
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("one_after_another_seconds")] double OneAfterAnotherSeconds,
    [property: JsonPropertyName("all_at_once_seconds")] double AllAtOnceSeconds,
    [property: JsonPropertyName("ratio")] double Ratio);

/// <summary>
/// A sweep on a real multi-process cluster, as users run one: a coordinator process with its job API and N worker
/// node processes. After one warm-up job per worker node, the same one-worker jobs run one after another
/// (`sweep --max-concurrent 1`), then all at once (`sweep`); the ratio of the two wall times says how well the
/// scheduler uses the workers (ideal: 1 / N).
/// </summary>
/// <param name="job">The jobs' settings by sweep key (model, data, epochs, workers); each job gets its own seed.</param>
public sealed class SweepBenchmark(IReadOnlyDictionary<string, string> job, int jobs, int workerNodes, Action<string> progress)
{
    private static readonly TimeSpan RegistrationTimeout = TimeSpan.FromMinutes(2);

    public Task<SweepBenchmarkReport> RunAsync(CancellationToken cancellationToken) =>
        LogDirectory.RunAsync("clustertrainer-bench-sweep-", "node logs", directory => RunAsync(directory, cancellationToken));

    /// <summary>Runs the nodes with their logs in <paramref name="directory"/>; they are stopped before this returns.</summary>
    private async Task<SweepBenchmarkReport> RunAsync(string directory, CancellationToken cancellationToken)
    {
        var port = LocalPorts.Free();
        var grpcPort = LocalPorts.Free();
        await using var nodes = new WorkerProcesses();
        nodes.StartNode("coordinator", ["--role", "coordinator", "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--grpc-port", grpcPort.ToString(CultureInfo.InvariantCulture), "--management-port", "0", "--runs", Path.Combine(directory, "runs")], directory);
        var seed = $"akka.tcp://clustertrainer@127.0.0.1:{port}";
        // Each worker node gets its share of this machine's cores, as it would have a machine of its own: a worker
        // sizes its threads by the cores it sees, and four nodes each using every core would only fight over them.
        var cores = new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = CoresPerNode.ToString(CultureInfo.InvariantCulture) };
        for (var i = 0; i < workerNodes; i++)
        {
            nodes.StartNode($"worker-{i}", ["--role", "worker", "--host", "127.0.0.1", "--port", "0", "--seed-nodes", seed], directory, cores);
        }

        var (channel, client) = ServerOptions.Connect($"http://127.0.0.1:{grpcPort}", null);
        using (channel)
        {
            await WaitForWorkersAsync(client, cancellationToken).ConfigureAwait(false);
            progress($"{workerNodes} worker nodes registered; warming up with one job per node");
            await RunAsync(client, Points(workerNodes, "warm-up"), null, cancellationToken).ConfigureAwait(false);

            var oneAfterAnother = await RunAsync(client, Points(jobs, "sequential"), 1, cancellationToken).ConfigureAwait(false);
            progress(string.Create(CultureInfo.InvariantCulture, $"{jobs} jobs one after another: {oneAfterAnother:F1} s"));
            var allAtOnce = await RunAsync(client, Points(jobs, "concurrent"), null, cancellationToken).ConfigureAwait(false);
            progress(string.Create(CultureInfo.InvariantCulture, $"{jobs} jobs all at once: {allAtOnce:F1} s"));
            return new SweepBenchmarkReport("sweep", jobs, workerNodes, job["model"], int.Parse(job["epochs"], CultureInfo.InvariantCulture), Environment.ProcessorCount, Environment.MachineName, oneAfterAnother, allAtOnce, allAtOnce / oneAfterAnother);
        }
    }

    /// <summary>The cores each worker node process is told it has: an equal share, at least one.</summary>
    public int CoresPerNode => Math.Max(1, Environment.ProcessorCount / workerNodes);

    private SweepPoint[] Points(int count, string label) =>
        Enumerable.Range(1, count).Select(i =>
        {
            var values = new Dictionary<string, string>(job, StringComparer.Ordinal) { ["seed"] = i.ToString(CultureInfo.InvariantCulture) };
            return new SweepPoint($"{label} seed={i}", values);
        }).ToArray();

    /// <returns>The wall time in seconds.</returns>
    /// <exception cref="InvalidOperationException">A job did not finish (its error is named).</exception>
    private static async Task<double> RunAsync(Jobs.JobsClient client, IReadOnlyList<SweepPoint> points, int? maxConcurrent, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var quiet = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
        var ended = await SweepRunner.RunAsync(client, points, maxConcurrent, quiet, cancellationToken).ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        var failed = ended.FirstOrDefault(e => e.Job.State != JobState.Finished);
        if (failed.Job is not null)
        {
            throw new InvalidOperationException($"job {failed.Job.JobId} ({failed.Point.Name}) ended {failed.Job.State}: {failed.Job.Error}");
        }

        return seconds;
    }

    private async Task WaitForWorkersAsync(Jobs.JobsClient client, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var status = await client.ClusterStatusAsync(new ClusterStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (status.IdleWorkers + status.BusyWorkers >= workerNodes)
                {
                    return;
                }
            }
            catch (Exception error) when (error is Grpc.Core.RpcException or CoordinatorUnreachableException && clock.Elapsed < RegistrationTimeout)
            {
                // The coordinator process is still starting.
            }

            if (clock.Elapsed >= RegistrationTimeout)
            {
                throw new TimeoutException($"{workerNodes} worker nodes did not all register with the coordinator within {RegistrationTimeout.TotalSeconds:0} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
        }
    }
}
