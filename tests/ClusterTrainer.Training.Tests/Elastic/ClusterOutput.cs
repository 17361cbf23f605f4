using System.Text.RegularExpressions;

namespace ClusterTrainer.Training.Tests.Elastic;

/// <summary>What `clustertrainer cluster` prints that a test needs: its coordinator's address, to start more worker nodes.</summary>
internal static partial class ClusterOutput
{
    public static string SeedAddress(string output)
    {
        var seed = SeedPattern().Match(output);
        Assert.True(seed.Success, $"the cluster printed no coordinator address:\n{output}");
        return seed.Groups[1].Value;
    }

    [GeneratedRegex(@"coordinator (akka\.tcp://\S+);")]
    private static partial Regex SeedPattern();
}
