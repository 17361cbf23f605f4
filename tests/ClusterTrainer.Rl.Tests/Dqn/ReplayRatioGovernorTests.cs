using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Rl.Tests.Dqn;

public class ReplayRatioGovernorTests
{
    [Fact]
    public void Should_allow_no_update_before_learning_starts()
    {
        var governor = new ReplayRatioGovernor(0.5, learningStarts: 1000, maxLag: 512, totalSteps: 100_000);

        Assert.Equal(0, governor.UpdatesAllowed(999, 0));
        Assert.Equal(0, governor.UpdatesAllowed(1000, 0));
        Assert.Equal(1, governor.UpdatesAllowed(1002, 0));
    }

    [Theory]
    [InlineData(0.5, 11_000, 5000)]
    [InlineData(0.25, 11_000, 2500)]
    [InlineData(2.0, 1100, 200)]
    public void Should_owe_ratio_times_the_transitions_after_learning_starts(double ratio, long collected, long expected)
    {
        var governor = new ReplayRatioGovernor(ratio, learningStarts: 1000, maxLag: 512, totalSteps: 100_000);

        Assert.Equal(expected, governor.UpdatesDue(collected));
        Assert.Equal(expected - 100, governor.UpdatesAllowed(collected, 100));
    }

    [Fact]
    public void Should_hold_collectors_back_only_beyond_the_lag_window()
    {
        var governor = new ReplayRatioGovernor(0.5, learningStarts: 1000, maxLag: 512, totalSteps: 100_000);

        // The learner has done 100 updates, which pay for 200 transitions after the first 1000.
        Assert.True(governor.MayCollect(1200 + 512, 100));
        Assert.False(governor.MayCollect(1200 + 513, 100));
        // Before learning starts, collectors are free up to learningStarts + the window.
        Assert.True(governor.MayCollect(1512, 0));
        Assert.False(governor.MayCollect(1513, 0));
    }

    [Fact]
    public void Held_back_collectors_always_leave_the_learner_work_to_do()
    {
        // The property that rules out a deadlock: whenever collection is refused, updates are owed.
        foreach (var ratio in new[] { 0.01, 0.25, 0.5, 1.0, 4.0 })
        {
            var maxLag = (long)Math.Ceiling(1 / ratio);
            var governor = new ReplayRatioGovernor(ratio, learningStarts: 100, maxLag: maxLag, totalSteps: 1_000_000);
            for (long updates = 0; updates < 300; updates += 7)
            {
                for (long collected = 0; collected < 2000; collected += 3)
                {
                    if (!governor.MayCollect(collected, updates) && governor.UpdatesDue(collected) >= updates)
                    {
                        Assert.True(governor.UpdatesAllowed(collected, updates) >= 1, $"ratio {ratio}, collected {collected}, updates {updates}");
                    }
                }
            }
        }
    }

    [Fact]
    public void A_zero_ratio_never_holds_collectors_back_and_owes_no_update()
    {
        var governor = new ReplayRatioGovernor(0, learningStarts: 0, maxLag: 1, totalSteps: 1000);

        Assert.True(governor.MayCollect(1_000_000, 0));
        Assert.Equal(0, governor.UpdatesDue(1000));
        Assert.True(governor.IsComplete(1000, 0));
    }

    [Fact]
    public void Should_be_complete_when_every_step_and_every_update_is_done()
    {
        var governor = new ReplayRatioGovernor(0.5, learningStarts: 1000, maxLag: 512, totalSteps: 11_000);

        Assert.Equal(5000, governor.TotalUpdates);
        Assert.False(governor.IsComplete(11_000, 4999));
        Assert.False(governor.IsComplete(10_999, 5000));
        Assert.True(governor.IsComplete(11_000, 5000));
        // Transitions beyond the budget owe nothing more.
        Assert.Equal(5000, governor.UpdatesDue(20_000));
    }

    [Fact]
    public void Should_reject_a_window_too_small_for_one_update()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayRatioGovernor(0.1, 0, maxLag: 9, totalSteps: 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayRatioGovernor(-0.1, 0, maxLag: 9, totalSteps: 100));
    }
}
