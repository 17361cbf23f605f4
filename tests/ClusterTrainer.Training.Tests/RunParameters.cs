using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Models;

namespace ClusterTrainer.Training.Tests;

/// <summary>The parameters a run saved (its model.bin), for comparing runs number by number.</summary>
internal static class RunParameters
{
    public static float[] Load(TrainingSettings settings, string runDirectory)
    {
        using var replica = new Replica(settings, [1, 28, 28], 10, 0);
        replica.Load(Path.Combine(runDirectory, RunDirectory.ModelFile));
        return replica.ExportParameters();
    }

    public static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => (double)Math.Abs(x - y)).Max();
}
