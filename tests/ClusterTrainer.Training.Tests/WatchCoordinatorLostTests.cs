using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Cluster.Hosting;
using Grpc.Net.Client;
using Serilog;

namespace ClusterTrainer.Training.Tests;

/// <summary>`watch` while the coordinator process is SIGKILLed (issue 15, item 8): a sentence, not an HttpIOException.</summary>
public class WatchCoordinatorLostTests
{
    [Fact]
    public async Task Watch_should_say_it_lost_the_coordinator_when_the_coordinator_is_killed()
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        var port = LocalPorts.Free();
        var server = $"http://127.0.0.1:{LocalPorts.Free()}";
        using var runs = new TempDirectory();
        await using var coordinator = CliProcess.Start("node", "--role", "coordinator", "--management-port", "0", "--port", port.ToString(invariant), "--grpc-port", new Uri(server).Port.ToString(invariant), "--runs", runs.Path);
        await coordinator.WaitForOutputAsync("roles coordinator", TimeSpan.FromMinutes(1));
        await using var worker = await ClusterNodeHost.StartAsync(
            new NodeOptions(["worker"], "127.0.0.1", 0, null, [$"akka.tcp://clustertrainer@127.0.0.1:{port}"]), new LoggerConfiguration().CreateLogger());
        await coordinator.WaitForOutputAsync("1 workers available", TimeSpan.FromMinutes(1));

        using var channel = GrpcChannel.ForAddress(server);
        var job = await new Jobs.JobsClient(channel).SubmitJobAsync(new SubmitJobRequest { Training = new TrainingSpec { Model = "mlp", Data = "sample", Epochs = 200, Workers = 1 } });
        await using var watch = CliProcess.Start("watch", "--server", server, job.JobId);
        await watch.WaitForOutputAsync("% epoch", TimeSpan.FromMinutes(1));

        coordinator.Process.Kill();
        var code = await watch.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == CliApp.Failed, watch.Output);
        var message = CliProcess.Flat(watch.Output);
        Assert.Contains($"lost the connection to the coordinator's job API at {server}", message, StringComparison.Ordinal);
        Assert.DoesNotContain("StatusCode", watch.Output, StringComparison.Ordinal);
    }
}
