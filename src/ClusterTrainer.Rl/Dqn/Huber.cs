namespace ClusterTrainer.Rl.Dqn;

/// <summary>
/// The Huber loss of an error e = prediction - target: quadratic within delta, linear outside, so
/// large TD errors cannot produce huge gradients. Matches torch.nn.HuberLoss(delta), which for
/// delta = 1 equals SmoothL1Loss.
/// </summary>
public static class Huber
{
    public static double Loss(double error, double delta = 1.0)
    {
        CheckDelta(delta);
        var magnitude = Math.Abs(error);
        return magnitude <= delta ? 0.5 * error * error : delta * (magnitude - (0.5 * delta));
    }

    /// <summary>The derivative of <see cref="Loss"/> with respect to the error (and so the prediction).</summary>
    public static double Gradient(double error, double delta = 1.0)
    {
        CheckDelta(delta);
        return Math.Clamp(error, -delta, delta);
    }

    private static void CheckDelta(double delta)
    {
        if (!(delta > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "Delta must be greater than 0.");
        }
    }
}
