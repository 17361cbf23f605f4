using ClusterTrainer.Rl.Environments;

namespace ClusterTrainer.Rl.Tests.Environments;

public class CartPoleTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void CartPole_step_matches_hand_computed_euler_update()
    {
        var cartPole = new CartPole();
        cartPole.ResetTo([0, 0, 0, 0]);

        var result = cartPole.Step(1);

        // Upright and at rest, pushed right with +10 N: sin(theta) = 0, cos(theta) = 1.
        var temp = (10.0 + (0.05 * 0 * 0 * 0)) / 1.1;
        var thetaAcc = ((9.8 * 0) - (1 * temp)) / (0.5 * ((4.0 / 3.0) - (0.1 * 1 * 1 / 1.1)));
        var xAcc = temp - (0.05 * thetaAcc * 1 / 1.1);
        Assert.Equal(-14.634146, thetaAcc, 1e-6);
        Assert.Equal(9.756098, xAcc, 1e-6);
        // Positions move with the old (zero) velocities; velocities gain tau * acceleration.
        AssertState([0, 0.02 * xAcc, 0, 0.02 * thetaAcc], cartPole.GetState());
        Assert.Equal([0f, (float)(0.02 * xAcc), 0f, (float)(0.02 * thetaAcc)], result.Observation);
        Assert.Equal(1f, result.Reward);
        Assert.False(result.Terminated);
        Assert.False(result.Truncated);
    }

    [Fact]
    public void CartPole_second_step_moves_positions_with_the_velocities_from_before_it()
    {
        var cartPole = new CartPole();
        cartPole.ResetTo([0, 0, 0, 0]);
        cartPole.Step(1);

        cartPole.Step(0);

        // After step 1: x_dot = 0.02 * 9.756098 = 0.195122, theta_dot = 0.02 * -14.634146 = -0.292683,
        // theta still 0. Pushing left with theta = 0 gives exactly the opposite accelerations, so
        // the velocities return to 0 while the positions advance by tau times the old velocities.
        var xDot1 = 0.02 * (10.0 / 1.1 - (0.05 * (-(10.0 / 1.1) / (0.5 * ((4.0 / 3.0) - (0.1 / 1.1)))) / 1.1));
        var thetaDot1 = 0.02 * (-(10.0 / 1.1) / (0.5 * ((4.0 / 3.0) - (0.1 / 1.1))));
        Assert.Equal(0.195122, xDot1, 1e-6);
        Assert.Equal(-0.292683, thetaDot1, 1e-6);
        AssertState([0.02 * xDot1, 0, 0.02 * thetaDot1, 0], cartPole.GetState());
    }

    [Fact]
    public void CartPole_step_from_a_tilted_moving_state_matches_the_equations()
    {
        var cartPole = new CartPole();
        cartPole.ResetTo([0.01, -0.02, 0.03, 0.04]);

        cartPole.Step(0);

        var sin = Math.Sin(0.03);
        var cos = Math.Cos(0.03);
        var temp = (-10.0 + (0.05 * 0.04 * 0.04 * sin)) / 1.1;
        var thetaAcc = ((9.8 * sin) - (cos * temp)) / (0.5 * ((4.0 / 3.0) - (0.1 * cos * cos / 1.1)));
        var xAcc = temp - (0.05 * thetaAcc * cos / 1.1);
        AssertState(
            [0.01 + (0.02 * -0.02), -0.02 + (0.02 * xAcc), 0.03 + (0.02 * 0.04), 0.04 + (0.02 * thetaAcc)],
            cartPole.GetState());
    }

    [Fact]
    public void CartPole_terminates_when_the_cart_passes_x_2_4_and_still_pays_that_step()
    {
        var cartPole = new CartPole();
        cartPole.ResetTo([2.39, 1.0, 0, 0]);

        var result = cartPole.Step(1);

        // x = 2.39 + 0.02 * 1.0 = 2.41 > 2.4.
        Assert.Equal(2.41, cartPole.GetState()[0], Tolerance);
        Assert.True(result.Terminated);
        Assert.False(result.Truncated);
        Assert.Equal(1f, result.Reward);
    }

    [Fact]
    public void CartPole_terminates_when_the_pole_passes_12_degrees_left_or_right()
    {
        var threshold = 12 * 2 * Math.PI / 360;

        var right = new CartPole();
        right.ResetTo([0, 0, threshold - 0.001, 0.1]);
        var left = new CartPole();
        left.ResetTo([0, 0, -threshold + 0.001, -0.1]);

        // theta moves by 0.02 * 0.1 = 0.002 past the 0.001 margin.
        Assert.True(right.Step(1).Terminated);
        Assert.True(left.Step(0).Terminated);
    }

    [Fact]
    public void CartPole_inside_the_limits_does_not_terminate()
    {
        var cartPole = new CartPole();
        // Zero angular velocity, so theta stays at 0.2 rad (11.46 degrees) during this step.
        cartPole.ResetTo([2.3, 0, 0.2, 0]);

        var result = cartPole.Step(0);

        Assert.Equal(0.2, cartPole.GetState()[2], Tolerance);
        Assert.False(result.Terminated);
    }

    [Fact]
    public void CartPole_truncates_at_exactly_500_steps_with_return_500()
    {
        var cartPole = new CartPole();
        var observation = cartPole.Reset(3);
        var total = 0f;
        var steps = 0;
        StepResult result;
        do
        {
            result = cartPole.Step(BalancingAction(observation));
            observation = result.Observation;
            total += result.Reward;
            steps++;
            Assert.False(result.Terminated, $"The balancing policy dropped the pole at step {steps}.");
            Assert.Equal(steps == 500, result.Truncated);
        }
        while (!result.Done);

        Assert.Equal(500, steps);
        Assert.Equal(500f, total);
        Assert.Throws<InvalidOperationException>(() => cartPole.Step(0));
    }

    [Fact]
    public void CartPole_reset_draws_every_value_from_minus_to_plus_0_05()
    {
        var cartPole = new CartPole();
        var random = new Random(17);
        var all = new List<float>();
        for (var episode = 0; episode < 500; episode++)
        {
            all.AddRange(cartPole.Reset(random));
        }

        Assert.All(all, value => Assert.InRange(value, -0.05f, 0.05f));
        // The range is actually used, not a fraction of it.
        Assert.True(all.Min() < -0.049f && all.Max() > 0.049f);
    }

    [Fact]
    public void CartPole_reset_with_the_same_seed_gives_the_same_state()
    {
        Assert.Equal(new CartPole().Reset(5), new CartPole().Reset(5));
        Assert.NotEqual(new CartPole().Reset(5), new CartPole().Reset(6));
    }

    [Fact]
    public void CartPole_rejects_a_step_before_reset_and_an_unknown_action()
    {
        var cartPole = new CartPole();
        Assert.Throws<InvalidOperationException>(() => cartPole.Step(0));
        cartPole.Reset(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => cartPole.Step(2));
    }

    /// <summary>A hand-tuned linear controller that keeps the pole up, to reach the time limit.</summary>
    private static int BalancingAction(float[] observation) =>
        (0.1 * observation[0]) + (0.5 * observation[1]) + (10 * observation[2]) + (2 * observation[3]) > 0 ? 1 : 0;

    private static void AssertState(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], Tolerance);
        }
    }
}
