using ClusterTrainer.Rl.Exploration;

namespace ClusterTrainer.Rl.Tests.Exploration;

public class LinearScheduleTests
{
    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(50, 0.525)] // halfway through the 100-step ramp: 1 - 0.95 / 2
    [InlineData(100, 0.05)]
    [InlineData(900, 0.05)]
    public void LinearSchedule_ramps_over_the_given_fraction_and_then_holds(long step, double expected)
    {
        var schedule = new LinearSchedule(start: 1.0, end: 0.05, fraction: 0.1, totalSteps: 1000);

        Assert.Equal(expected, schedule.ValueAt(step), 1e-12);
    }

    [Fact]
    public void LinearSchedule_with_no_ramp_starts_at_the_end_value()
    {
        var schedule = new LinearSchedule(start: 1.0, end: 0.1, fraction: 0, totalSteps: 1000);

        Assert.Equal(0.1, schedule.ValueAt(0));
    }

    [Fact]
    public void LinearSchedule_can_rise_as_well_as_fall()
    {
        var beta = new LinearSchedule(start: 0.4, end: 1.0, fraction: 1, totalSteps: 10);

        Assert.Equal(0.7, beta.ValueAt(5), 1e-12);
    }
}
