using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Core.Tests;

/// <summary>Plots of a run read as epochs (issue 13, item 1).</summary>
public class EpochPlotTests
{
    [Theory]
    [InlineData(1, new[] { 1 })]
    [InlineData(7, new[] { 1, 2, 3, 4, 5, 6, 7 })]
    [InlineData(30, new[] { 1, 5, 10, 15, 20, 25, 30 })]
    [InlineData(200, new[] { 1, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200 })]
    public void Ticks_should_fall_on_whole_epochs_only_and_stay_few(int lastEpoch, int[] expected) =>
        Assert.Equal(expected, EpochPlot.EpochTicks(lastEpoch));

    [Fact]
    public void The_rendered_x_axis_should_show_whole_epochs_and_the_legend_should_sit_beside_the_data()
    {
        double[] loss = [2.3, 1.1, 0.7, 0.5, 0.45];
        var plot = EpochPlot.Build("MLP: loss per epoch", "loss", [1, 2, 3, 4, 5], ("train loss", loss), ("test loss", loss));
        plot.GetImage(800, 500);

        var ticks = plot.Axes.Bottom.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Position).ToArray();
        Assert.Equal([1.0, 2, 3, 4, 5], ticks);
        // The legend inside the data area is hidden: the legend is a panel on the right edge, outside the data
        // area, which ends well before the figure does.
        Assert.False(plot.Legend.IsVisible);
        Assert.True(plot.LastRender.DataRect.Right < 800 - 60, $"data area ends at x = {plot.LastRender.DataRect.Right}");
        var lastPoint = plot.GetPixel(new ScottPlot.Coordinates(5, 0.45));
        Assert.True(plot.LastRender.DataRect.Contains(lastPoint), "the last epoch is drawn inside the data area");
    }
}
