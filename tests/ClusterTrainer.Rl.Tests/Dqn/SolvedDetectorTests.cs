using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Rl.Tests.Dqn;

public class SolvedDetectorTests
{
    [Fact]
    public void Should_need_a_full_window_of_episodes()
    {
        var detector = new SolvedDetector(475, window: 100);
        for (var i = 0; i < 99; i++)
        {
            detector.Add(500, envStep: (i + 1) * 500);
        }

        Assert.Null(detector.SolvedAtStep);
        detector.Add(500, envStep: 50_000);
        Assert.Equal(50_000, detector.SolvedAtStep);
    }

    [Fact]
    public void Should_record_the_first_step_at_which_the_window_mean_reaches_the_threshold()
    {
        var detector = new SolvedDetector(10, window: 4);
        detector.Add(0, 1);
        detector.Add(10, 2);
        detector.Add(10, 3);
        detector.Add(10, 4);
        Assert.Null(detector.SolvedAtStep); // mean 7.5
        detector.Add(10, 5); // window 10, 10, 10, 10
        Assert.Equal(5, detector.SolvedAtStep);
        detector.Add(0, 6);
        detector.Add(40, 7);
        Assert.Equal(5, detector.SolvedAtStep);
        Assert.Equal(15, detector.MeanReturn, 9); // 10, 10, 0, 40
        Assert.Equal(7, detector.Episodes);
    }

    [Fact]
    public void Should_handle_negative_thresholds()
    {
        var detector = new SolvedDetector(-100, window: 2);
        detector.Add(-150, 10);
        detector.Add(-80, 20);
        Assert.Null(detector.SolvedAtStep); // mean -115
        detector.Add(-90, 30);
        Assert.Equal(30, detector.SolvedAtStep); // mean -85
    }
}
