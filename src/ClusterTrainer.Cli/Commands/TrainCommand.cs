using System.ComponentModel;
using ClusterTrainer.Cli.Console;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Checkpoints;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Data;
using ClusterTrainer.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>`clustertrainer train`: one supervised training job on the in-process actor cluster.</summary>
public sealed class TrainCommand(IAnsiConsole console) : AsyncCommand<TrainCommand.Options>
{
    public sealed class Options : RunOutputOptions
    {
        [CommandOption("-o|--out <DIR>")]
        [Description("Run directory for summary.json, metrics.csv, plots, model.bin, settings.json, log.json (default runs/<time>-<model>); must be new or empty unless --force")]
        public string? Out { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var training = settings.ToSettings();
        RunDirectory run;
        Checkpoint? resume = null;
        if (settings.Resume is not null)
        {
            (run, training, resume) = RunResume.Load(settings, settings.Out, warning => console.MarkupLineInterpolated($"[yellow]{warning}[/]"));
            console.MarkupLineInterpolated($"resuming {run.Path} from its checkpoint at step {resume.Position.Sequence} (epoch {resume.Position.Epoch}, step {resume.Position.Step}) with {training.Workers} workers");
        }
        else
        {
            run = new RunDirectory(settings.Out ?? RunDirectory.DefaultPath(training.Model.ToString().ToLowerInvariant(), DateTimeOffset.UtcNow));
            OutputDirectory.Prepare(run.Path, settings.Force);
        }

        if (training.AllReduce == AllReduceKind.Hierarchical)
        {
            throw new SettingsException("--all-reduce", "hierarchical applies to workers in separate processes (cluster, submit): train's in-process workers sum in shared memory, where there are no hops to save. Leave it out, or run the job with cluster");
        }

        var model = training.Model.ToString().ToLowerInvariant();
        var jobId = Path.GetFileName(run.Path);

        var data = new DataLocator().Load(training.Data, training.Seed);
        if (training.Limit is { } limit)
        {
            data = data with { Train = data.Train.Take(limit) };
        }

        ClassCount.RequireAtMost(data, training.MaxClasses);
        ModelFactory.RequireSuits(training, data.Train.SampleShape);
        ModelSize.RequireFits(training, data.Train.SampleShape, data.Train.ClassCount, training.Workers, ModelSize.AvailableBytes);
        console.MarkupLineInterpolated($"data: {data.Source}: {data.Train.Count} training and {data.Test.Count} test samples");
        console.MarkupLineInterpolated($"run directory: {run.Path}");

        var progress = new TrainingProgress(console);
        using var log = RunLogging.Create(run.File(RunDirectory.LogFile), progress.Interactive,
            new Dictionary<string, object> { ["RunId"] = jobId, ["Model"] = model });
        RunSummary summary;
        try
        {
            summary = await RunJobAsync(new TrainingJob(jobId, training, data, run.Path) { Resume = resume }, log, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return CancelledRun.Report(console, run);
        }

        console.MarkupLineInterpolated($"[green]test accuracy {summary.TestAccuracy:P2}[/], final train loss {summary.FinalLoss:F4}, {summary.SamplesPerSecond:F0} samples/s, {summary.WallSeconds:F1} s wall");
        console.MarkupLineInterpolated($"results: {run.File(RunDirectory.SummaryFile)}");
        return 0;
    }

    private static async Task<RunSummary> RunJobAsync(TrainingJob job, Serilog.ILogger log, TrainingProgress progress, CancellationToken cancellationToken)
    {
        // Akka.Logger.Serilog writes through the static logger, so Akka's own events land in the run's log too.
        Serilog.Log.Logger = log;
        try
        {
            await using var host = await ActorSystemHost.StartAsync("clustertrainer").ConfigureAwait(false);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, host.Stopping);
            var title = $"{job.Settings.Model.ToString().ToLowerInvariant()} x {job.Settings.Workers} workers";
            return await progress.RunAsync(title, onEvent => LocalTrainingCluster.RunAsync(host.System, job, log, onEvent, cancellationToken: stop.Token)).ConfigureAwait(false);
        }
        finally
        {
            Serilog.Log.Logger = Serilog.Core.Logger.None;
        }
    }
}
