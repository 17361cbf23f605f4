using ClusterTrainer.Cli.Client;
using FsCheck;
using FsCheck.Xunit;

namespace ClusterTrainer.Training.Tests.Sweeps;

/// <summary>The halving policy alone: which points go on, how far, and what a whole run costs against the full grid.</summary>
public sealed class SuccessiveHalvingTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(4, 2)]
    [InlineData(7, 4)]
    public void The_better_half_rounded_up_should_go_on(int points, int survivors) =>
        Assert.Equal(survivors, SuccessiveHalving.Survivors(points));

    [Theory]
    [InlineData(1, 4, 8, 2)]
    [InlineData(4, 2, 6, 6)]
    [InlineData(2, 1, 8, 8)]
    [InlineData(3, 3, 8, 6)]
    public void The_next_rung_should_double_until_one_point_is_left_or_the_full_epochs_are_reached(int reached, int survivors, int full, int next) =>
        Assert.Equal(next, SuccessiveHalving.NextRung(reached, survivors, full));

    [Fact]
    public void Keep_should_take_the_best_scores_keep_grid_order_on_ties_and_drop_failed_points()
    {
        var kept = SuccessiveHalving.Keep<string>([("a", 0.5), ("b", null), ("c", 0.9), ("d", 0.5), ("e", 0.1)]);

        Assert.Equal(["c", "a", "d"], kept);
    }

    [Theory]
    [InlineData(4, 1, 6, 10)] // 4 x 1, then 2 x 1 more, then 1 x 4 more
    [InlineData(4, 1, 8, 12)]
    [InlineData(8, 1, 8, 20)] // 8 x 1, 4 x 1, 2 x 2, 1 x 4
    [InlineData(2, 2, 3, 5)]  // 2 x 2, then the winner 1 more
    public void A_halving_run_should_plan_these_epochs(int points, int minEpochs, int full, long epochs) =>
        Assert.Equal(epochs, SuccessiveHalving.PlannedEpochs(points, minEpochs, full));

    [Property(MaxTest = 300)]
    public bool A_halving_run_should_train_every_point_its_first_rung_and_one_point_its_full_epochs_and_never_more_than_the_full_grid(PositiveInt points, PositiveInt minEpochs, PositiveInt extra)
    {
        var (n, m) = (points.Get % 64 + 1, minEpochs.Get % 16 + 1);
        var full = m + (extra.Get % 64) + 1;
        var planned = SuccessiveHalving.PlannedEpochs(n, m, full);
        return planned >= ((long)n * m) + (full - m) && planned <= (long)n * full;
    }
}
