namespace ClusterTrainer.Exchange.Exact;

/// <summary>
/// Loss sums that add up to the same bits in any order: each part (a micro-batch's or an evaluation chunk's summed
/// loss) is rounded to a multiple of 2^-24, so doubles add them exactly while the total stays below 2^29 (53 - 24 bits),
/// which is hundreds of millions of samples at a typical loss. The coordinator then sums the workers' reports in
/// whatever order they arrive and still gets the same number.
/// </summary>
public static class ExactLoss
{
    public const int FractionBits = 24;

    private static readonly double Scale = Math.ScaleB(1.0, FractionBits);

    /// <summary>The nearest multiple of 2^-24 (ties to even); not finite stays as it is (a diverged step says so).</summary>
    public static double Round(double loss) => double.IsFinite(loss) ? Math.Round(loss * Scale) / Scale : loss;
}
