using ClusterTrainer.Api.V1;
using ClusterTrainer.Cluster.Dashboard;

namespace ClusterTrainer.Training.Tests.Monitoring;

public sealed class DashboardSeriesTests
{
    [Fact]
    public void A_thinned_series_should_keep_evenly_spaced_points_within_its_capacity_and_always_the_latest()
    {
        var series = new ThinnedSeries(capacity: 10);
        for (var i = 0; i < 1000; i++)
        {
            series.Add(i, i * 2);
        }

        var points = series.Points();

        Assert.InRange(points.Count, 6, 11);
        Assert.Equal((0, 0), points[0]);
        Assert.Equal((999, 1998), points[^1]);
        var gaps = points.Take(points.Count - 1).Zip(points.Skip(1).Take(points.Count - 2), (a, b) => b.X - a.X).Distinct().ToList();
        Assert.Single(gaps);
        Assert.All(points, p => Assert.Equal(p.X * 2, p.Y));
    }

    [Fact]
    public void A_short_series_should_keep_every_point()
    {
        var series = new ThinnedSeries(capacity: 10);
        for (var i = 0; i < 7; i++)
        {
            series.Add(i, -i);
        }

        Assert.Equal(Enumerable.Range(0, 7).Select(i => ((double)i, (double)-i)), series.Points());
    }

    [Fact]
    public void The_dashboard_series_should_draw_supervised_jobs_against_the_global_step_and_dqn_against_env_steps()
    {
        var series = new DashboardSeries();
        series.Observe(new JobEvent { JobId = "a", Progress = new Progress { Epoch = 1, Epochs = 2, Step = 3, StepsPerEpoch = 10, SamplesDone = 300, Loss = 1.5 } });
        series.Observe(new JobEvent { JobId = "a", Progress = new Progress { Epoch = 2, Epochs = 2, Step = 4, StepsPerEpoch = 10, SamplesDone = 1400, Loss = 0.5 } });
        series.Observe(new JobEvent { JobId = "a", Epoch = new EpochResult { Epoch = 1, TestAccuracy = 0.8 } });
        series.Observe(new JobEvent { JobId = "d", Progress = new Progress { SamplesDone = 2500, SamplesTotal = 3000, Loss = 21.5 } });

        var supervised = series.Get("a");
        var dqn = series.Get("d");

        Assert.Equal("supervised", supervised.Kind);
        Assert.Equal([[3, 1.5], [14, 0.5]], supervised.Progress);
        Assert.Equal(0.8, Assert.Single(supervised.Epochs).TestAccuracy);
        Assert.Equal("dqn", dqn.Kind);
        Assert.Equal([[2500, 21.5]], dqn.Progress);
        Assert.Empty(series.Get("unknown").Progress);
    }
}
