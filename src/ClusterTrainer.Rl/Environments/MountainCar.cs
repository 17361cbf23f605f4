namespace ClusterTrainer.Rl.Environments;

/// <summary>
/// Gymnasium's MountainCar-v0. State and observation are [position, velocity]; action 0 accelerates
/// left, 1 does nothing, 2 accelerates right.
/// </summary>
public sealed class MountainCar : EpisodicEnvironment
{
    public const double MinPosition = -1.2;
    public const double MaxPosition = 0.6;
    public const double MaxSpeed = 0.07;
    public const double GoalPosition = 0.5;
    public const double GoalVelocity = 0.0;
    public const double Force = 0.001;
    public const double Gravity = 0.0025;
    public const int DefaultMaxEpisodeSteps = 200;

    public MountainCar()
        : base("MountainCar-v0", stateSize: 2, observationSize: 2, actionCount: 3, DefaultMaxEpisodeSteps)
    {
    }

    protected override void ResetState(Random random)
    {
        var state = State;
        state[0] = Uniform(random, -0.6, -0.4);
        state[1] = 0;
    }

    protected override (float Reward, bool Terminated) Advance(int action)
    {
        var state = State;
        var position = state[0];
        var velocity = state[1];

        velocity += ((action - 1) * Force) + (Math.Cos(3 * position) * -Gravity);
        velocity = Math.Clamp(velocity, -MaxSpeed, MaxSpeed);
        position += velocity;
        position = Math.Clamp(position, MinPosition, MaxPosition);
        // The left wall is inelastic: hitting it stops the car.
        if (position == MinPosition && velocity < 0)
        {
            velocity = 0;
        }

        state[0] = position;
        state[1] = velocity;
        var terminated = position >= GoalPosition && velocity >= GoalVelocity;
        return (-1f, terminated);
    }

    protected override float[] Observe()
    {
        var state = State;
        return [(float)state[0], (float)state[1]];
    }
}
