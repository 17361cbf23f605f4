using System.Text.Json;
using Akka.Actor;
using ClusterTrainer.Cli;
using ClusterTrainer.Cli.Benchmarks;
using ClusterTrainer.Cluster.Simulation;
using Xunit.Abstractions;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// The control-plane measurement (issue 12, item 4): a real coordinator drives light workers in another ActorSystem over
/// Akka.Remote on 127.0.0.1, and `bench --control-plane` does the same with light-worker processes. What a step costs is
/// the benchmark's report; these tests hold the measurement to driving the whole job protocol and counting what crosses.
/// </summary>
public sealed class ControlPlaneTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_coordinator_should_run_a_whole_job_on_remote_light_workers_and_count_two_messages_per_worker_and_step()
    {
        using var files = new TempDirectory();
        await using var measuring = await LightWorkerHost.StartAsync("measuring");
        await using var hostA = await LightWorkerHost.StartAsync("light-a");
        await using var hostB = await LightWorkerHost.StartAsync("light-b");
        var registry = measuring.System.ActorOf(LightWorkerRegistryActor.Props(), LightWorkerHost.RegistryName);
        var path = LightWorkerHost.RegistryPath(LightWorkerHost.AddressOf(measuring.System));
        await LightWorkerHost.OfferAsync(hostA.System, path, 3, Timeout);
        await LightWorkerHost.OfferAsync(hostB.System, path, 3, Timeout);
        var registered = await registry.Ask<RegisteredLightWorkers>(new AwaitLightWorkers(6), Timeout);

        var workers = ControlPlaneBenchmark.SpreadOverProcesses(registered.Workers);
        var measurement = await ControlPlaneRun.RunAsync(measuring.System, registry, workers, 20, files.Path, Timeout);

        output.WriteLine(measurement.ToString());
        Assert.Equal(6, measurement.Workers);
        Assert.Equal(16, measurement.MeasuredSteps);
        // Each worker gets one StartStep and answers one StepCompleted per step.
        Assert.Equal(12, measurement.StepMessagesPerStep);
        Assert.True(measurement.StepBytesPerStep > 12 * 8, $"{measurement.StepBytesPerStep} payload bytes per step");
        // Set-up, evaluation, checkpoint, model and release come on top of the steps' messages.
        Assert.True(measurement.JobMessages > 12 * 20, $"{measurement.JobMessages} messages in the job");
        Assert.True(measurement.CpuMsPerStep > 0 && measurement.WallMsPerStep > 0, measurement.ToString());
        var summary = Directory.GetFiles(files.Path, "summary.json", SearchOption.AllDirectories).Single();
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(summary));
        Assert.Equal(20, json.RootElement.GetProperty("steps").GetInt64());
        Assert.Equal(6, json.RootElement.GetProperty("workers").GetInt32());
    }

    [Fact]
    public async Task The_first_workers_of_the_spread_should_come_from_different_processes()
    {
        await using var hostA = await LightWorkerHost.StartAsync("light-a");
        await using var hostB = await LightWorkerHost.StartAsync("light-b");
        var fromA = Enumerable.Range(0, 3).Select(i => hostA.System.ActorOf(Props.Empty, $"a{i}")).ToArray();
        var fromB = Enumerable.Range(0, 3).Select(i => hostB.System.ActorOf(Props.Empty, $"b{i}")).ToArray();
        IActorRef[] registered = [.. fromA, .. fromB];

        var spread = ControlPlaneBenchmark.SpreadOverProcesses(registered);

        Assert.Equal([fromA[0], fromB[0], fromA[1], fromB[1], fromA[2], fromB[2]], spread);
    }

    [Fact]
    public async Task Bench_control_plane_should_drive_light_worker_processes_and_report_cost_per_step_for_each_count()
    {
        using var files = new TempDirectory();
        var report = files.Combine("control.json");
        var before = TempBenchDirectories();

        var (code, text) = await CliProcess.RunAsync(TimeSpan.FromMinutes(5), "bench", "--control-plane", "--worker-counts", "2,6", "--worker-nodes", "2",
            "--repetitions", "1", "--control-steps", "30", "--out", report);

        output.WriteLine(text);
        Assert.True(code == 0, text);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("processes").GetInt32());
        Assert.Equal(2, root.GetProperty("baseline_workers").GetInt32());
        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal([2, 6], rows.Select(r => r.GetProperty("workers").GetInt32()));
        foreach (var row in rows)
        {
            var workers = row.GetProperty("workers").GetInt32();
            Assert.Equal(2.0 * workers, row.GetProperty("step_messages_per_step").GetDouble());
            var cpu = row.GetProperty("cpu_ms_per_step").GetDouble();
            Assert.True(cpu > 0, $"{cpu} ms");
            Assert.Equal(cpu * 1000 / workers, row.GetProperty("cpu_us_per_worker_step").GetDouble(), 6);
        }

        Assert.Equal(1.0, rows[0].GetProperty("per_worker_ratio_to_baseline").GetDouble(), 6);
        Assert.Contains("ratio per worker to 2 workers", text, StringComparison.Ordinal);
        // Its working directory (the light workers' output) is removed when the measurement succeeds.
        Assert.Empty(TempBenchDirectories().Except(before));
    }

    private static string[] TempBenchDirectories() => Directory.GetDirectories(Path.GetTempPath(), "clustertrainer-bench-control-*");

    [Fact]
    public async Task Bench_control_plane_should_refuse_too_few_steps_by_name()
    {
        var (code, text) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "bench", "--control-plane", "--control-steps", "5");

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("--control-steps", text, StringComparison.Ordinal);
        Assert.Contains("at least 10", text, StringComparison.Ordinal);
    }
}
