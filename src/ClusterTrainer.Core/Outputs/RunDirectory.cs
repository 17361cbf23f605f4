using System.Globalization;
using System.Text;
using ScottPlot;

namespace ClusterTrainer.Core.Outputs;

/// <summary>
/// The files of one run. Every file is written atomically, so a crash or a reader never sees half a file,
/// and a run directory always holds the last complete epoch's results.
/// </summary>
public sealed class RunDirectory
{
    public const string SummaryFile = "summary.json";
    public const string MetricsFile = "metrics.csv";
    public const string SettingsFile = "settings.json";
    public const string ModelFile = "model.bin";
    public const string LossPlotFile = "loss.png";
    public const string AccuracyPlotFile = "accuracy.png";
    public const string LogFile = "log.json";

    public RunDirectory(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>The default run directory: runs/&lt;UTC time&gt;-&lt;model&gt;.</summary>
    public static string DefaultPath(string model, DateTimeOffset now) =>
        System.IO.Path.Combine("runs", $"{now.UtcDateTime:yyyyMMdd-HHmmss}-{model}");

    public void WriteSettings(TrainingSettings settings) =>
        AtomicFile.WriteAllText(File(SettingsFile), RunJson.Serialize(settings));

    public TrainingSettings ReadSettings()
    {
        var path = File(SettingsFile);
        if (!System.IO.File.Exists(path))
        {
            throw new FileNotFoundException($"{path} not found: is '{Path}' a run directory written by 'clustertrainer train'?", path);
        }

        var json = System.IO.File.ReadAllText(path);
        RunKinds.Require(RunKind.Supervised, path, json);
        try
        {
            return RunJson.Deserialize<TrainingSettings>(json, path).Validate();
        }
        catch (SettingsException error)
        {
            throw new InvalidDataException($"{path}: {error.Message}", error);
        }
    }

    public void WriteSummary(RunSummary summary) =>
        AtomicFile.WriteAllText(File(SummaryFile), RunJson.Serialize(summary));

    public RunSummary ReadSummary()
    {
        var path = File(SummaryFile);
        return RunJson.Deserialize<RunSummary>(System.IO.File.ReadAllText(path), path);
    }

    public void WriteMetrics(IReadOnlyList<EpochMetrics> rows)
    {
        var text = new StringBuilder("epoch,train_loss,test_loss,test_accuracy,samples_per_second\n");
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{row.Epoch},{row.TrainLoss:R},{row.TestLoss:R},{row.TestAccuracy:R},{row.SamplesPerSecond:F1}\n");
        }

        AtomicFile.WriteAllText(File(MetricsFile), text.ToString());
    }

    /// <summary>Rows in metrics.csv: the epochs whose results this directory holds.</summary>
    public int FinishedEpochs()
    {
        var path = File(MetricsFile);
        return System.IO.File.Exists(path) ? Math.Max(0, System.IO.File.ReadLines(path).Count(line => line.Length > 0) - 1) : 0;
    }

    /// <summary>The lecture's "cost per epoch" and accuracy curves.</summary>
    public void WritePlots(IReadOnlyList<EpochMetrics> rows, string title)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var epochs = rows.Select(r => r.Epoch).ToArray();
        WritePlot(LossPlotFile, EpochPlot.Build($"{title}: loss per epoch", "loss", epochs,
            ("train loss", rows.Select(r => r.TrainLoss).ToArray()),
            ("test loss", rows.Select(r => r.TestLoss).ToArray())));
        WritePlot(AccuracyPlotFile, EpochPlot.Build($"{title}: test accuracy per epoch", "accuracy", epochs,
            ("test accuracy", rows.Select(r => r.TestAccuracy).ToArray())));
    }

    private void WritePlot(string fileName, Plot plot) =>
        AtomicFile.WriteVia(File(fileName), temporary => plot.SavePng(temporary, 800, 500));
}
