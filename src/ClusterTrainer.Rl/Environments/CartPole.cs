namespace ClusterTrainer.Rl.Environments;

/// <summary>
/// Gymnasium's CartPole-v1 with the default Euler integrator. State and observation are
/// [x, x_dot, theta, theta_dot]; action 0 pushes the cart left, 1 pushes it right.
/// </summary>
public sealed class CartPole : EpisodicEnvironment
{
    public const double Gravity = 9.8;
    public const double CartMass = 1.0;
    public const double PoleMass = 0.1;
    public const double TotalMass = CartMass + PoleMass;

    /// <summary>Half the pole's length, as Gymnasium defines it.</summary>
    public const double HalfPoleLength = 0.5;

    public const double PoleMassLength = PoleMass * HalfPoleLength;
    public const double ForceMagnitude = 10.0;
    public const double Tau = 0.02;
    public const double PositionThreshold = 2.4;
    public const double AngleThresholdRadians = 12 * 2 * Math.PI / 360;
    public const int DefaultMaxEpisodeSteps = 500;

    public CartPole()
        : base("CartPole-v1", stateSize: 4, observationSize: 4, actionCount: 2, DefaultMaxEpisodeSteps)
    {
    }

    protected override void ResetState(Random random)
    {
        var state = State;
        for (var i = 0; i < state.Length; i++)
        {
            state[i] = Uniform(random, -0.05, 0.05);
        }
    }

    protected override (float Reward, bool Terminated) Advance(int action)
    {
        var state = State;
        double x = state[0], xDot = state[1], theta = state[2], thetaDot = state[3];

        var force = action == 1 ? ForceMagnitude : -ForceMagnitude;
        var cos = Math.Cos(theta);
        var sin = Math.Sin(theta);
        var temp = (force + (PoleMassLength * thetaDot * thetaDot * sin)) / TotalMass;
        var thetaAcc = ((Gravity * sin) - (cos * temp))
            / (HalfPoleLength * ((4.0 / 3.0) - (PoleMass * cos * cos / TotalMass)));
        var xAcc = temp - (PoleMassLength * thetaAcc * cos / TotalMass);

        // Explicit Euler: positions move with the velocities from before this step.
        state[0] = x + (Tau * xDot);
        state[1] = xDot + (Tau * xAcc);
        state[2] = theta + (Tau * thetaDot);
        state[3] = thetaDot + (Tau * thetaAcc);

        var terminated = Math.Abs(state[0]) > PositionThreshold || Math.Abs(state[2]) > AngleThresholdRadians;
        // Gymnasium pays for the step that ends the episode too.
        return (1f, terminated);
    }

    protected override float[] Observe()
    {
        var state = State;
        return [(float)state[0], (float)state[1], (float)state[2], (float)state[3]];
    }
}
