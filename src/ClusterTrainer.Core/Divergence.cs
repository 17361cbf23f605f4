using System.Globalization;

namespace ClusterTrainer.Core;

/// <summary>
/// A step whose loss or gradient is not a finite number has diverged: every later step would only spread NaN
/// through the weights. The job stops at that step instead, and says which one and what to change.
/// </summary>
public static class Divergence
{
    /// <param name="loss">The step's loss (any scale: a sum or a mean).</param>
    /// <param name="gradientNorm">The L2 norm of the step's averaged gradient; infinite also when it overflows.</param>
    public static bool IsDiverged(double loss, double gradientNorm) => !double.IsFinite(loss) || !double.IsFinite(gradientNorm);

    /// <param name="epoch">1-based epoch.</param>
    /// <param name="step">0-based step within the epoch.</param>
    /// <param name="sequence">0-based step of the whole run.</param>
    public static string Describe(int epoch, int step, long sequence, double loss, double gradientNorm, double learningRate, string setting = "--lr") =>
        string.Create(CultureInfo.InvariantCulture,
            $"training diverged at step {step + 1} of epoch {epoch} (step {sequence + 1} of the run): the loss is {Name(loss)} and the gradient's norm is {Name(gradientNorm)}. " +
            $"The learning rate {learningRate:G4} is too high for this model: try a lower {setting}, for example {learningRate / 10:G4}");

    /// <summary>For an epoch whose evaluation gave no finite loss: the weights themselves are no longer numbers.</summary>
    public static string DescribeEpoch(int epoch, double trainLoss, double testLoss, double learningRate, string setting = "--lr") =>
        string.Create(CultureInfo.InvariantCulture,
            $"training diverged in epoch {epoch}: the train loss is {Name(trainLoss)} and the test loss is {Name(testLoss)}. " +
            $"The learning rate {learningRate:G4} is too high for this model: try a lower {setting}, for example {learningRate / 10:G4}");

    private static string Name(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+infinity" : double.IsNegativeInfinity(value) ? "-infinity" : value.ToString("G4", CultureInfo.InvariantCulture);
}
