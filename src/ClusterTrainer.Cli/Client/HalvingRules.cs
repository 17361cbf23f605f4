namespace ClusterTrainer.Cli.Client;

/// <summary>
/// What successive halving needs of a sweep, checked before anything is submitted: one number of epochs for every point
/// (the rungs are fractions of it, and a point's schedule must be the full-grid job's), and a first rung below it.
/// </summary>
public static class HalvingRules
{
    /// <exception cref="InvalidDataException">naming the file, the key or flag, and the fix.</exception>
    public static void Require(string path, IReadOnlyList<SweepPoint> points, int minEpochs)
    {
        ArgumentNullException.ThrowIfNull(points);
        var epochs = points.Select(p => p.Spec.Epochs).Distinct().Order().ToArray();
        if (epochs.Length > 1)
        {
            throw new InvalidDataException($"{path}: epochs: --halving needs the same epochs for every point, the grid gives {string.Join(", ", epochs)}; put epochs in base, or sweep without --halving");
        }

        if (points.Count < 2)
        {
            throw new InvalidDataException($"{path}: --halving needs at least 2 points to choose between, the grid gives {points.Count}");
        }

        if (minEpochs >= epochs[0])
        {
            throw new InvalidDataException($"{path}: --min-epochs {minEpochs} must be below the points' epochs ({epochs[0]}), or nothing is stopped early; lower it or raise epochs");
        }
    }
}
