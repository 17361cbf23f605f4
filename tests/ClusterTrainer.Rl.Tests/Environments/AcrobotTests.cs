using ClusterTrainer.Rl.Environments;

namespace ClusterTrainer.Rl.Tests.Environments;

public class AcrobotTests
{
    [Theory]
    [InlineData(0.05, -0.03, 0.02, 0.01, 0)]
    [InlineData(0.5, 1.0, -1.0, 2.0, 2)]
    [InlineData(-2.0, 0.7, 3.0, -5.0, 1)]
    public void Acrobot_step_matches_a_hand_written_rk4_of_the_book_equations(
        double theta1, double theta2, double dtheta1, double dtheta2, int action)
    {
        var acrobot = new Acrobot();
        acrobot.ResetTo([theta1, theta2, dtheta1, dtheta2]);

        var result = acrobot.Step(action);

        var expected = ReferenceStep([theta1, theta2, dtheta1, dtheta2], torque: action - 1);
        var actual = acrobot.GetState();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-12);
        }

        float[] observation =
        [
            (float)Math.Cos(expected[0]), (float)Math.Sin(expected[0]),
            (float)Math.Cos(expected[1]), (float)Math.Sin(expected[1]),
            (float)expected[2], (float)expected[3],
        ];
        Assert.Equal(observation, result.Observation);
    }

    [Fact]
    public void Acrobot_positive_torque_from_rest_swings_the_second_link_forward_and_the_first_back()
    {
        var acrobot = new Acrobot();
        acrobot.ResetTo([0, 0, 0, 0]);

        acrobot.Step(2);

        var state = acrobot.GetState();
        Assert.True(state[1] > 0 && state[3] > 0, "The torque acts on the second joint.");
        Assert.True(state[0] < 0 && state[2] < 0, "The first link recoils.");
    }

    [Fact]
    public void Acrobot_terminates_with_reward_0_when_the_tip_is_above_the_line()
    {
        var acrobot = new Acrobot();
        // Balanced straight up: -cos(pi) - cos(pi + 0) = 2 > 1, an equilibrium, so it stays there.
        acrobot.ResetTo([Math.PI, 0, 0, 0]);

        var result = acrobot.Step(1);

        Assert.True(result.Terminated);
        Assert.Equal(0f, result.Reward);
    }

    [Fact]
    public void Acrobot_below_the_line_pays_minus_1()
    {
        var acrobot = new Acrobot();
        // Tip height -cos(t1) - cos(t1 + t2) is 0 for a horizontal arm, well below 1.
        acrobot.ResetTo([Math.PI / 2, 0, 0, 0]);

        var result = acrobot.Step(1);

        Assert.False(result.Terminated);
        Assert.Equal(-1f, result.Reward);
    }

    [Fact]
    public void Acrobot_wraps_angles_and_clips_velocities()
    {
        var acrobot = new Acrobot();
        acrobot.ResetTo([3.0, -3.0, 12.0, -28.0]);

        var clipped = 0;
        for (var step = 0; step < 20; step++)
        {
            var result = acrobot.Step(step % 3);
            var observation = result.Observation;
            var state = acrobot.GetState();
            if (Math.Abs(state[2]) == 4 * Math.PI || Math.Abs(state[3]) == 9 * Math.PI)
            {
                clipped++;
            }

            if (result.Done)
            {
                // Spinning this fast soon swings the tip over the line; carry on from the same state.
                acrobot.ResetTo(state);
            }

            Assert.InRange(state[0], -Math.PI, Math.PI);
            Assert.InRange(state[1], -Math.PI, Math.PI);
            Assert.InRange(state[2], -4 * Math.PI, 4 * Math.PI);
            Assert.InRange(state[3], -9 * Math.PI, 9 * Math.PI);
            Assert.Equal(1.0, (observation[0] * observation[0]) + (observation[1] * observation[1]), 1e-6);
            Assert.Equal(1.0, (observation[2] * observation[2]) + (observation[3] * observation[3]), 1e-6);
        }

        Assert.True(clipped > 0, "The start is fast enough that the limits must bind.");
    }

    [Fact]
    public void Acrobot_hanging_at_rest_without_torque_truncates_at_500_with_return_minus_500()
    {
        var acrobot = new Acrobot();
        acrobot.ResetTo([0, 0, 0, 0]);
        var total = 0f;
        for (var step = 1; step <= 500; step++)
        {
            var result = acrobot.Step(1);
            total += result.Reward;
            Assert.False(result.Terminated);
            Assert.Equal(step == 500, result.Truncated);
        }

        Assert.Equal(-500f, total);
    }

    [Fact]
    public void Acrobot_reset_draws_all_four_state_values_from_minus_to_plus_0_1()
    {
        var acrobot = new Acrobot();
        var random = new Random(8);
        var values = new List<double>();
        for (var episode = 0; episode < 300; episode++)
        {
            var observation = acrobot.Reset(random);
            Assert.Equal(6, observation.Length);
            values.AddRange(acrobot.GetState());
        }

        Assert.All(values, value => Assert.InRange(value, -0.1, 0.1));
        Assert.True(values.Min() < -0.099 && values.Max() > 0.099);
    }

    /// <summary>
    /// The Acrobot dynamics written out independently from Sutton and Barto's equations (masses,
    /// lengths and inertias 1, centres of mass 0.5, g = 9.8) and one RK4 step of 0.2 s, followed by
    /// wrapping and clipping.
    /// </summary>
    private static double[] ReferenceStep(double[] s, double torque)
    {
        const double h = 0.2;
        var k1 = Derivative(s, torque);
        var k2 = Derivative(Add(s, k1, h / 2), torque);
        var k3 = Derivative(Add(s, k2, h / 2), torque);
        var k4 = Derivative(Add(s, k3, h), torque);
        var next = new double[4];
        for (var i = 0; i < 4; i++)
        {
            next[i] = s[i] + (h / 6 * (k1[i] + (2 * k2[i]) + (2 * k3[i]) + k4[i]));
        }

        next[0] = WrapToPi(next[0]);
        next[1] = WrapToPi(next[1]);
        next[2] = Math.Clamp(next[2], -4 * Math.PI, 4 * Math.PI);
        next[3] = Math.Clamp(next[3], -9 * Math.PI, 9 * Math.PI);
        return next;
    }

    private static double[] Derivative(double[] s, double tau)
    {
        double t1 = s[0], t2 = s[1], w1 = s[2], w2 = s[3];
        // With m = l1 = I = 1 and lc = 0.5:
        // d1 = 0.25 + (1 + 0.25 + cos t2) + 2, d2 = (0.25 + 0.5 cos t2) + 1.
        var d1 = 0.25 + 1 + 0.25 + Math.Cos(t2) + 2;
        var d2 = 0.25 + (0.5 * Math.Cos(t2)) + 1;
        var phi2 = 0.5 * 9.8 * Math.Cos(t1 + t2 - (Math.PI / 2));
        var phi1 = (-0.5 * w2 * w2 * Math.Sin(t2)) - (Math.Sin(t2) * w2 * w1) + (1.5 * 9.8 * Math.Cos(t1 - (Math.PI / 2))) + phi2;
        var dw2 = (tau + (d2 / d1 * phi1) - (0.5 * w1 * w1 * Math.Sin(t2)) - phi2) / (0.25 + 1 - (d2 * d2 / d1));
        var dw1 = -((d2 * dw2) + phi1) / d1;
        return [w1, w2, dw1, dw2];
    }

    private static double[] Add(double[] s, double[] k, double scale) =>
        [s[0] + (scale * k[0]), s[1] + (scale * k[1]), s[2] + (scale * k[2]), s[3] + (scale * k[3])];

    private static double WrapToPi(double angle)
    {
        while (angle > Math.PI)
        {
            angle -= 2 * Math.PI;
        }

        while (angle < -Math.PI)
        {
            angle += 2 * Math.PI;
        }

        return angle;
    }
}
