using ClusterTrainer.Rl.Environments;

namespace ClusterTrainer.Rl.Tests.Environments;

public class MountainCarTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void MountainCar_step_matches_hand_computed_update()
    {
        var car = new MountainCar();
        car.ResetTo([-0.5, 0]);

        var result = car.Step(2);

        // velocity = 0 + (2 - 1) * 0.001 + cos(3 * -0.5) * -0.0025 = 0.001 - 0.0025 * 0.0707372
        var velocity = 0 + ((2 - 1) * 0.001) + (Math.Cos(3 * -0.5) * -0.0025);
        Assert.Equal(0.000823157, velocity, 1e-9);
        var position = -0.5 + velocity;
        Assert.Equal(position, car.GetState()[0], Tolerance);
        Assert.Equal(velocity, car.GetState()[1], Tolerance);
        Assert.Equal([(float)position, (float)velocity], result.Observation);
        Assert.Equal(-1f, result.Reward);
        Assert.False(result.Terminated);
        Assert.False(result.Truncated);
    }

    [Fact]
    public void MountainCar_clips_velocity_to_0_07()
    {
        var car = new MountainCar();
        car.ResetTo([-0.5, 0.0699]);

        car.Step(2);

        // 0.0699 + 0.001 - 0.0025 * cos(-1.5) = 0.0707232 before the clip.
        Assert.Equal(0.07, car.GetState()[1], Tolerance);
        Assert.Equal(-0.5 + 0.07, car.GetState()[0], Tolerance);
    }

    [Fact]
    public void MountainCar_stops_the_car_when_it_hits_the_left_wall()
    {
        var car = new MountainCar();
        car.ResetTo([-1.19, -0.05]);

        var result = car.Step(0);

        // velocity = -0.05 - 0.001 - 0.0025 * cos(-3.57) = -0.0487284; -1.19 + that is past -1.2.
        Assert.Equal(-1.2, car.GetState()[0], Tolerance);
        Assert.Equal(0.0, car.GetState()[1]);
        Assert.Equal([-1.2f, 0f], result.Observation);
    }

    [Fact]
    public void MountainCar_terminates_at_the_goal_with_reward_minus_1()
    {
        var car = new MountainCar();
        car.ResetTo([0.49, 0.02]);

        var result = car.Step(2);

        Assert.True(car.GetState()[0] >= 0.5);
        Assert.True(result.Terminated);
        Assert.False(result.Truncated);
        Assert.Equal(-1f, result.Reward);
    }

    [Fact]
    public void MountainCar_short_of_the_goal_does_not_terminate()
    {
        var car = new MountainCar();
        car.ResetTo([0.45, 0.01]);

        Assert.False(car.Step(1).Terminated);
    }

    [Fact]
    public void MountainCar_truncates_at_exactly_200_steps()
    {
        var car = new MountainCar();
        car.ResetTo([-0.5, 0]);
        var total = 0f;
        for (var step = 1; step <= 200; step++)
        {
            // Coasting never climbs out of the valley.
            var result = car.Step(1);
            total += result.Reward;
            Assert.False(result.Terminated);
            Assert.Equal(step == 200, result.Truncated);
        }

        Assert.Equal(-200f, total);
        Assert.Throws<InvalidOperationException>(() => car.Step(1));
    }

    [Fact]
    public void MountainCar_reset_puts_the_car_at_rest_between_minus_0_6_and_minus_0_4()
    {
        var car = new MountainCar();
        var random = new Random(4);
        var positions = new List<float>();
        for (var episode = 0; episode < 300; episode++)
        {
            var observation = car.Reset(random);
            Assert.Equal(0f, observation[1]);
            positions.Add(observation[0]);
        }

        Assert.All(positions, position => Assert.InRange(position, -0.6f, -0.4f));
        Assert.True(positions.Min() < -0.59f && positions.Max() > -0.41f);
    }
}
