using System.Text.Json.Serialization;
using Akka.Actor;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Cluster.Simulation;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cli.Benchmarks;

/// <summary>The coordinator's cost per step at one worker count (medians over the repetitions).</summary>
public sealed record ControlPlaneRow(
    [property: JsonPropertyName("workers")] int Workers,
    [property: JsonPropertyName("cpu_ms_per_step")] double CpuMsPerStep,
    [property: JsonPropertyName("wall_ms_per_step")] double WallMsPerStep,
    [property: JsonPropertyName("step_messages_per_step")] double StepMessagesPerStep,
    [property: JsonPropertyName("step_payload_bytes_per_step")] double StepBytesPerStep,
    [property: JsonPropertyName("cpu_us_per_worker_step")] double CpuMicrosecondsPerWorkerStep,
    [property: JsonPropertyName("per_worker_ratio_to_baseline")] double PerWorkerRatioToBaseline,
    [property: JsonPropertyName("job_messages")] long JobMessages,
    [property: JsonPropertyName("cpu_ms_per_step_runs")] IReadOnlyList<double> CpuMsPerStepRuns);

public sealed record ControlPlaneReport(
    [property: JsonPropertyName("benchmark")] string Benchmark,
    [property: JsonPropertyName("processes")] int Processes,
    [property: JsonPropertyName("steps_per_run")] int StepsPerRun,
    [property: JsonPropertyName("repetitions")] int Repetitions,
    [property: JsonPropertyName("samples_per_worker_step")] int SamplesPerWorkerStep,
    [property: JsonPropertyName("cores")] int Cores,
    [property: JsonPropertyName("baseline_workers")] int BaselineWorkers,
    [property: JsonPropertyName("rows")] IReadOnlyList<ControlPlaneRow> Rows);

/// <summary>
/// The control plane at hundreds of workers, on one machine: this process runs a real coordinator, and
/// <c>processes</c> other processes host light workers (<see cref="LightWorkerActor"/>) that answer each step at once,
/// so every message is serialized and crosses a socket (Akka.Remote) but no tensor is computed. Per worker count the
/// report gives this process's CPU milliseconds per step, the step's messages and payload bytes, and the CPU per
/// worker and step against that of the smallest count (1.0: the cost grows linearly with the workers).
/// </summary>
public sealed class ControlPlaneBenchmark(IReadOnlyList<int> workerCounts, int processes, int steps, int repetitions, Action<string> progress)
{
    private static readonly TimeSpan RegistrationTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(5);

    public Task<ControlPlaneReport> RunAsync(CancellationToken cancellationToken) =>
        LogDirectory.RunAsync("clustertrainer-bench-control-", "the light-worker processes' output", directory => RunAsync(directory, cancellationToken));

    private async Task<ControlPlaneReport> RunAsync(string directory, CancellationToken cancellationToken)
    {
        await using var host = await LightWorkerHost.StartAsync("bench").ConfigureAwait(false);
        var registry = host.System.ActorOf(LightWorkerRegistryActor.Props(), LightWorkerHost.RegistryName);
        var registryPath = LightWorkerHost.RegistryPath(LightWorkerHost.AddressOf(host.System));
        var most = workerCounts.Max();
        var hosts = Math.Min(processes, most);
        await using var children = new WorkerProcesses();
        for (var i = 0; i < hosts; i++)
        {
            var (_, count) = EpochPlan.Split(most, hosts, i);
            children.StartHelper($"light-{i}", ["light-workers", "--registry", registryPath, "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture)], directory);
        }

        progress($"waiting for {most} light workers in {hosts} processes");
        var registered = await registry.Ask<RegisteredLightWorkers>(new AwaitLightWorkers(most), RegistrationTimeout, cancellationToken).ConfigureAwait(false);
        var spread = SpreadOverProcesses(registered.Workers);

        // The first job pays for the JIT and remoting's connections; it is not measured.
        await ControlPlaneRun.RunAsync(host.System, registry, spread.Take(most).ToArray(), steps, directory, JobTimeout).ConfigureAwait(false);

        var measured = new List<(int Workers, ControlPlaneMeasurement[] Runs)>();
        foreach (var count in workerCounts)
        {
            var runs = new ControlPlaneMeasurement[repetitions];
            for (var r = 0; r < repetitions; r++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                runs[r] = await ControlPlaneRun.RunAsync(host.System, registry, spread.Take(count).ToArray(), steps, directory, JobTimeout).ConfigureAwait(false);
                progress(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{count} workers, run {r + 1}: {runs[r].CpuMsPerStep:F3} CPU ms/step, {runs[r].WallMsPerStep:F3} ms/step, {runs[r].StepMessagesPerStep:F0} messages and {runs[r].StepBytesPerStep:F0} payload bytes per step"));
            }

            measured.Add((count, runs));
        }

        var baseline = measured[0];
        var baselinePerWorker = Statistics.Median(baseline.Runs.Select(r => r.CpuMsPerStep)) / baseline.Workers;
        var rows = measured.Select(m =>
        {
            var cpu = Statistics.Median(m.Runs.Select(r => r.CpuMsPerStep));
            return new ControlPlaneRow(
                m.Workers, cpu, Statistics.Median(m.Runs.Select(r => r.WallMsPerStep)),
                Statistics.Median(m.Runs.Select(r => r.StepMessagesPerStep)), Statistics.Median(m.Runs.Select(r => r.StepBytesPerStep)),
                cpu * 1000 / m.Workers, cpu / m.Workers / baselinePerWorker, m.Runs[0].JobMessages, [.. m.Runs.Select(r => r.CpuMsPerStep)]);
        }).ToArray();
        return new ControlPlaneReport("control-plane", hosts, steps, repetitions, ControlPlaneRun.SamplesPerWorker, Environment.ProcessorCount, baseline.Workers, rows);
    }

    /// <summary>Orders the workers so that any first N of them are spread evenly over the processes (round robin).</summary>
    public static IReadOnlyList<IActorRef> SpreadOverProcesses(IReadOnlyList<IActorRef> workers) =>
        [.. workers.Select((worker, index) => (worker, index))
            .GroupBy(w => w.worker.Path.Address)
            .SelectMany(group => group.Select((w, position) => (w.worker, w.index, position)))
            .OrderBy(w => w.position).ThenBy(w => w.index)
            .Select(w => w.worker)];
}
