namespace ClusterTrainer.Rl.Environments;

/// <summary>
/// Gymnasium's Acrobot-v1 with the "book" dynamics (Sutton and Barto) and no torque noise. The state is
/// [theta1, theta2, dtheta1, dtheta2]; the observation is
/// [cos theta1, sin theta1, cos theta2, sin theta2, dtheta1, dtheta2]. Actions 0, 1, 2 apply a torque
/// of -1, 0, +1 to the joint between the links.
/// </summary>
public sealed class Acrobot : EpisodicEnvironment
{
    public const double Dt = 0.2;
    public const double LinkLength1 = 1.0;
    public const double LinkMass1 = 1.0;
    public const double LinkMass2 = 1.0;
    public const double LinkCenterOfMass1 = 0.5;
    public const double LinkCenterOfMass2 = 0.5;
    public const double LinkMomentOfInertia = 1.0;
    public const double MaxVelocity1 = 4 * Math.PI;
    public const double MaxVelocity2 = 9 * Math.PI;
    public const double Gravity = 9.8;
    public const int DefaultMaxEpisodeSteps = 500;

    private const int StateLength = 4;

    public Acrobot()
        : base("Acrobot-v1", StateLength, observationSize: 6, actionCount: 3, DefaultMaxEpisodeSteps)
    {
    }

    /// <summary>The torque each action applies.</summary>
    public static double TorqueOf(int action) => action - 1.0;

    protected override void ResetState(Random random)
    {
        var state = State;
        for (var i = 0; i < state.Length; i++)
        {
            state[i] = Uniform(random, -0.1, 0.1);
        }
    }

    protected override (float Reward, bool Terminated) Advance(int action)
    {
        var state = State;
        RungeKutta4(state, TorqueOf(action));
        state[0] = Wrap(state[0]);
        state[1] = Wrap(state[1]);
        state[2] = Math.Clamp(state[2], -MaxVelocity1, MaxVelocity1);
        state[3] = Math.Clamp(state[3], -MaxVelocity2, MaxVelocity2);

        // The free end is above the bar one link length above the pivot.
        var terminated = -Math.Cos(state[0]) - Math.Cos(state[1] + state[0]) > 1.0;
        return (terminated ? 0f : -1f, terminated);
    }

    protected override float[] Observe()
    {
        var state = State;
        return
        [
            (float)Math.Cos(state[0]), (float)Math.Sin(state[0]),
            (float)Math.Cos(state[1]), (float)Math.Sin(state[1]),
            (float)state[2], (float)state[3],
        ];
    }

    /// <summary>One classical RK4 step of length <see cref="Dt"/> with the torque held constant.</summary>
    private static void RungeKutta4(Span<double> state, double torque)
    {
        Span<double> k1 = stackalloc double[StateLength];
        Span<double> k2 = stackalloc double[StateLength];
        Span<double> k3 = stackalloc double[StateLength];
        Span<double> k4 = stackalloc double[StateLength];
        Span<double> probe = stackalloc double[StateLength];
        const double half = Dt / 2;

        Derivatives(state, torque, k1);
        Offset(state, k1, half, probe);
        Derivatives(probe, torque, k2);
        Offset(state, k2, half, probe);
        Derivatives(probe, torque, k3);
        Offset(state, k3, Dt, probe);
        Derivatives(probe, torque, k4);

        for (var i = 0; i < StateLength; i++)
        {
            state[i] += Dt / 6.0 * (k1[i] + (2 * k2[i]) + (2 * k3[i]) + k4[i]);
        }
    }

    private static void Offset(ReadOnlySpan<double> state, ReadOnlySpan<double> slope, double step, Span<double> result)
    {
        for (var i = 0; i < state.Length; i++)
        {
            result[i] = state[i] + (step * slope[i]);
        }
    }

    private static void Derivatives(ReadOnlySpan<double> s, double torque, Span<double> result)
    {
        const double m1 = LinkMass1, m2 = LinkMass2, l1 = LinkLength1;
        const double lc1 = LinkCenterOfMass1, lc2 = LinkCenterOfMass2;
        const double i1 = LinkMomentOfInertia, i2 = LinkMomentOfInertia, g = Gravity;
        double theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3];

        var d1 = (m1 * lc1 * lc1) + (m2 * ((l1 * l1) + (lc2 * lc2) + (2 * l1 * lc2 * Math.Cos(theta2)))) + i1 + i2;
        var d2 = (m2 * ((lc2 * lc2) + (l1 * lc2 * Math.Cos(theta2)))) + i2;
        var phi2 = m2 * lc2 * g * Math.Cos(theta1 + theta2 - (Math.PI / 2));
        var phi1 = (-m2 * l1 * lc2 * dtheta2 * dtheta2 * Math.Sin(theta2))
            - (2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * Math.Sin(theta2))
            + ((m1 * lc1 + m2 * l1) * g * Math.Cos(theta1 - (Math.PI / 2)))
            + phi2;
        var ddtheta2 = (torque + (d2 / d1 * phi1) - (m2 * l1 * lc2 * dtheta1 * dtheta1 * Math.Sin(theta2)) - phi2)
            / ((m2 * lc2 * lc2) + i2 - (d2 * d2 / d1));
        var ddtheta1 = -((d2 * ddtheta2) + phi1) / d1;

        result[0] = dtheta1;
        result[1] = dtheta2;
        result[2] = ddtheta1;
        result[3] = ddtheta2;
    }

    /// <summary>Gymnasium's wrap: shifts by whole turns into [-pi, pi]; exactly pi is left as it is.</summary>
    private static double Wrap(double angle)
    {
        const double turn = 2 * Math.PI;
        while (angle > Math.PI)
        {
            angle -= turn;
        }

        while (angle < -Math.PI)
        {
            angle += turn;
        }

        return angle;
    }
}
