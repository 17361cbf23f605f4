using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace ClusterTrainer.Core.Outputs;

/// <summary>
/// A per-epoch curve (loss, accuracy): ticks on whole epochs only (there is no epoch 1.5), and the legend in a
/// panel beside the data area, where it cannot cover the last epochs, which are the points people look at.
/// </summary>
public static class EpochPlot
{
    /// <summary>At most this many epoch ticks; longer runs tick every 2, 5, 10, 20, ... epochs.</summary>
    private const int MaxTicks = 12;

    public static Plot Build(string title, string yLabel, IReadOnlyList<int> epochs, params (string Label, double[] Values)[] series)
    {
        ArgumentNullException.ThrowIfNull(epochs);
        ArgumentNullException.ThrowIfNull(series);
        var plot = new Plot();
        var xs = epochs.Select(e => (double)e).ToArray();
        foreach (var (label, values) in series)
        {
            var scatter = plot.Add.Scatter(xs, values);
            scatter.LegendText = label;
        }

        var ticks = EpochTicks(epochs.Count == 0 ? 1 : epochs.Max());
        plot.Axes.Bottom.TickGenerator = new NumericManual(
            ticks.Select(t => (double)t).ToArray(),
            ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimitsX(0.5, Math.Max(1, epochs.Count == 0 ? 1 : epochs.Max()) + 0.5);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Whole epochs 1..<paramref name="lastEpoch"/>, every one when few, else every 2, 5, 10, 20, 50, ... epochs.</summary>
    public static IReadOnlyList<int> EpochTicks(int lastEpoch)
    {
        var step = 1;
        for (var scale = 1; lastEpoch / step >= MaxTicks; scale *= 10)
        {
            foreach (var factor in new[] { 1, 2, 5 })
            {
                step = factor * scale;
                if (lastEpoch / step < MaxTicks)
                {
                    break;
                }
            }
        }

        var ticks = new List<int> { 1 };
        for (var tick = step; tick <= lastEpoch; tick += step)
        {
            if (tick > 1)
            {
                ticks.Add(tick);
            }
        }

        return ticks;
    }
}
