using System.Globalization;
using System.Text;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Models.Dqn;
using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Environments;
using ScottPlot;

namespace ClusterTrainer.Cluster.Rl;

/// <summary>The files of a DQN run directory, each written atomically.</summary>
public static class DqnRunOutputs
{
    public const string ReturnsPlotFile = "returns.png";

    public static DqnSummary Write(RunDirectory run, DqnRunResult result)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(result);
        var settings = result.Settings;
        var summary = DqnSummary.From(result, EnvironmentCatalog.Get(settings.Environment).Id);
        AtomicFile.WriteAllText(run.File(RunDirectory.SettingsFile), RunJson.Serialize(settings));
        AtomicFile.WriteAllText(run.File(RunDirectory.SummaryFile), RunJson.Serialize(summary));
        WriteMetrics(run.File(RunDirectory.MetricsFile), result.Evaluations);
        WritePlot(run.File(ReturnsPlotFile), result);
        using var network = new QNetwork(result.ObservationSize, settings.Hidden, result.Actions, settings.Seed);
        network.ImportParameters(result.KeptWeights);
        network.Save(run.File(RunDirectory.ModelFile));
        return summary;
    }

    public static DqnSettings ReadSettings(RunDirectory run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var path = run.File(RunDirectory.SettingsFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} not found: is '{run.Path}' a run directory written by 'clustertrainer dqn'?", path);
        }

        var json = File.ReadAllText(path);
        RunKinds.Require(RunKind.Dqn, path, json);
        var settings = RunJson.Deserialize<DqnSettings>(json, path);
        try
        {
            return settings.Validate();
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"{path}: {error.Message}", error);
        }
    }

    private static void WriteMetrics(string path, IReadOnlyList<DqnEvaluationRow> rows)
    {
        var text = new StringBuilder("env_steps,updates,episodes,wall_seconds,train_mean_return_100,eval_mean_return,env_steps_per_second\n");
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{row.EnvSteps},{row.Updates},{row.Episodes},{row.WallSeconds:F2},{row.TrainMeanReturn:F2},{row.EvalMeanReturn:F2},{row.EnvStepsPerSecond:F0}\n");
        }

        AtomicFile.WriteAllText(path, text.ToString());
    }

    private static void WritePlot(string path, DqnRunResult result)
    {
        var plot = new Plot();
        if (result.Episodes.Count > 0)
        {
            var steps = result.Episodes.Select(e => (double)e.EnvStep).ToArray();
            var returns = result.Episodes.Select(e => e.Return).ToArray();
            var episodes = plot.Add.ScatterPoints(steps, returns);
            episodes.LegendText = "training episode";
            episodes.MarkerSize = 2;
            var rolling = new double[returns.Length];
            var sum = 0.0;
            for (var i = 0; i < returns.Length; i++)
            {
                sum += returns[i] - (i >= 100 ? returns[i - 100] : 0);
                rolling[i] = sum / Math.Min(i + 1, 100);
            }

            var mean = plot.Add.ScatterLine(steps, rolling);
            mean.LegendText = "mean of last 100 training episodes";
        }

        if (result.Evaluations.Count > 0)
        {
            var evaluations = plot.Add.Scatter(result.Evaluations.Select(e => (double)e.EnvSteps).ToArray(), result.Evaluations.Select(e => e.EvalMeanReturn).ToArray());
            evaluations.LegendText = $"greedy evaluation ({result.Settings.EvalEpisodes} episodes)";
        }

        plot.Title($"DQN {result.Settings.Environment}: {result.Settings.Collectors} collectors, final greedy mean {result.FinalEvalMean:F1}");
        plot.XLabel("environment steps");
        plot.YLabel("return");
        plot.ShowLegend();
        AtomicFile.WriteVia(path, temporary => plot.SavePng(temporary, 900, 500));
    }
}
