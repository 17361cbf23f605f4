namespace ClusterTrainer.Rl.Replay;

/// <summary>
/// Proportional prioritised replay (Schaul et al., 2016): a transition with TD error delta has priority
/// (|delta| + Epsilon)^Alpha and is sampled with probability proportional to it.
/// </summary>
/// <param name="Alpha">How strongly priorities skew sampling; 0 is uniform. Ape-X uses 0.6.</param>
/// <param name="Epsilon">Keeps transitions with zero error sampleable.</param>
public sealed record PrioritizationOptions(double Alpha = 0.6, double Epsilon = 1e-6)
{
    internal void Validate()
    {
        if (!(Alpha >= 0) || double.IsInfinity(Alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be a finite value of at least 0.");
        }

        if (!(Epsilon > 0) || double.IsInfinity(Epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "Epsilon must be finite and greater than 0.");
        }
    }
}
