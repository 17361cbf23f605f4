using System.ComponentModel;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Data;
using ClusterTrainer.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>`clustertrainer evaluate`: reload a saved model and measure its test accuracy again.</summary>
public sealed class EvaluateCommand(IAnsiConsole console) : Command<EvaluateCommand.Options>
{
    public sealed class Options : CommandSettings
    {
        [CommandOption("--run <DIR>")]
        [Description("Run directory written by `train` (holds model.bin and settings.json)")]
        public string? Run { get; init; }

        [CommandOption("--model-file <FILE>")]
        [Description("A model.bin; its settings.json must lie beside it")]
        public string? ModelFile { get; init; }

        [CommandOption("--data <PATH>")]
        [Description("Data to evaluate on (default: the data the run was trained on)")]
        public string? Data { get; init; }

        public override ValidationResult Validate() =>
            (Run is null) == (ModelFile is null)
                ? ValidationResult.Error("give exactly one of --run DIR or --model-file FILE")
                : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var modelFile = settings.ModelFile ?? Path.Combine(settings.Run!, RunDirectory.ModelFile);
        if (!File.Exists(modelFile))
        {
            throw new FileNotFoundException($"{modelFile} not found: give a run directory written by 'clustertrainer train' (--run) or an existing model file (--model-file)", modelFile);
        }

        var run = new RunDirectory(Path.GetDirectoryName(Path.GetFullPath(modelFile))!);
        var training = run.ReadSettings();
        var data = new DataLocator().Load(settings.Data ?? training.Data, training.Seed);
        console.MarkupLineInterpolated($"data: {data.Source}: {data.Test.Count} test samples");

        double accuracy;
        try
        {
            accuracy = Evaluate(training, data, modelFile);
        }
        catch (SettingsException error)
        {
            // The settings came from the run's settings.json, not from flags: name the file.
            throw new InvalidDataException($"{run.File(RunDirectory.SettingsFile)}: {error.Message}", error);
        }

        console.MarkupLineInterpolated($"test accuracy {accuracy:P2} ({modelFile})");
        if (File.Exists(run.File(RunDirectory.SummaryFile)))
        {
            var recorded = run.ReadSummary().TestAccuracy;
            console.MarkupLineInterpolated($"recorded test accuracy {recorded:P2}");
        }

        return 0;
    }

    /// <summary>Test accuracy of a saved model, evaluated in the same chunks the cluster uses.</summary>
    public static double Evaluate(TrainingSettings training, DataSplit data, string modelFile)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(training);
        using var replica = new Replica(training, data.Test.SampleShape, data.Test.ClassCount, training.Seed);
        SavedModel.Load(modelFile, $"{training.Model.ToString().ToLowerInvariant()} (hidden {string.Join(",", training.Hidden)}) that settings.json describes", replica.Load);
        var correct = 0;
        foreach (var (start, count) in EvaluationPlan.ChunksFor(data.Test.Count, 1, 0))
        {
            correct += replica.Evaluate(SampleBatch.Range(data.Test, start, count)).Correct;
        }

        return (double)correct / data.Test.Count;
    }
}
