using System.ComponentModel;
using Akka.Hosting;
using ClusterTrainer.Cli.Console;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core.Outputs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>
/// `clustertrainer cluster`: a real multi-process cluster on this machine. This process is the coordinator
/// (and data) node; it starts N worker node processes on 127.0.0.1, runs the training job on them, writes
/// the same outputs as `train`, and stops every process it started.
/// </summary>
public sealed class ClusterCommand(IAnsiConsole console) : AsyncCommand<ClusterCommand.Options>
{
    public sealed class Options : RunOutputOptions
    {
        [CommandOption("-o|--out <DIR>")]
        [Description("Run directory (default runs/<time>-<model>-cluster); worker logs are written there too; must be new or empty unless --force")]
        public string? Out { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var training = settings.ToSettings();
        RunDirectory run;
        var resume = settings.Resume is not null;
        if (resume)
        {
            // Read and checked here, so a run that cannot be resumed fails before any process starts; the coordinator
            // reads it again from the run directory when the job starts.
            (run, training, var checkpoint) = RunResume.Load(settings, settings.Out, warning => console.MarkupLineInterpolated($"[yellow]{warning}[/]"));
            console.MarkupLineInterpolated($"resuming {run.Path} from its checkpoint at step {checkpoint.Position.Sequence} (epoch {checkpoint.Position.Epoch}, step {checkpoint.Position.Step}) with {training.Workers} workers");
        }
        else
        {
            run = new RunDirectory(settings.Out ?? RunDirectory.DefaultPath(training.Model.ToString().ToLowerInvariant(), DateTimeOffset.UtcNow) + "-cluster");
            OutputDirectory.Prepare(run.Path, settings.Force);
        }

        var model = training.Model.ToString().ToLowerInvariant();
        var jobId = Path.GetFileName(run.Path);
        if (training.Data is { } data && data != Data.DataLocator.SampleKeyword)
        {
            // Worker processes never read data, but the coordinator may run from another directory later.
            training = training with { Data = Path.GetFullPath(data) };
        }

        // The job manager loads the data again when the job starts; reading it here first turns bad data and
        // impossible settings into exit code 2 before any process is started.
        var loaded = new Data.DataLocator().Load(training.Data, training.Seed);
        Data.ClassCount.RequireAtMost(loaded, training.MaxClasses);
        Models.ModelFactory.RequireSuits(training, loaded.Train.SampleShape);
        Models.ModelSize.RequireFits(training, loaded.Train.SampleShape, loaded.Train.ClassCount, replicas: 1, Models.ModelSize.AvailableBytes);

        var progress = new TrainingProgress(console);
        using var log = RunLogging.Create(run.File(RunDirectory.LogFile), progress.Interactive,
            new Dictionary<string, object> { ["RunId"] = jobId, ["Model"] = model, ["Role"] = "coordinator" });
        Serilog.Log.Logger = log;
        try
        {
            var port = LocalPorts.Free();
            var seed = $"akka.tcp://{NodeOptions.SystemName}@127.0.0.1:{port}";
            await using var host = await ClusterNodeHost.StartAsync(
                new NodeOptions([NodeOptions.CoordinatorRole], "127.0.0.1", port, null, []), log).ConfigureAwait(false);
            console.MarkupLineInterpolated($"coordinator {seed}; starting {training.Workers} worker processes (logs in {run.Path})");
            await using var workers = WorkerProcesses.Start(training.Workers, seed, run.Path);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, host.Stopping);

            RunSummary summary;
            try
            {
                var jobManager = await ActorRegistry.For(host.System).GetAsync<JobManagerActor>(stop.Token).ConfigureAwait(false);
                summary = await progress.RunAsync($"{model} x {training.Workers} worker processes",
                    onEvent => ClusterJobClient.RunAsync(host.System, jobManager, new SubmitTrainingJob(jobId, training, run.Path, resume), onEvent, stop.Token)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The report says the processes are gone, so stop them (and wait for them) first.
                await workers.DisposeAsync().ConfigureAwait(false);
                return CancelledRun.Report(console, run);
            }

            console.MarkupLineInterpolated($"[green]test accuracy {summary.TestAccuracy:P2}[/], final train loss {summary.FinalLoss:F4}, {summary.SamplesPerSecond:F0} samples/s, {summary.WallSeconds:F1} s wall, {summary.Workers} worker processes");
            console.MarkupLineInterpolated($"results: {run.File(RunDirectory.SummaryFile)}");
            return 0;
        }
        finally
        {
            Serilog.Log.Logger = Serilog.Core.Logger.None;
        }
    }
}
