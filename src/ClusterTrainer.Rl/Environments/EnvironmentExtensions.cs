namespace ClusterTrainer.Rl.Environments;

public static class EnvironmentExtensions
{
    /// <summary>Starts an episode whose initial state depends only on <paramref name="seed"/>.</summary>
    public static float[] Reset(this IEnvironment environment, int seed)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.Reset(new Random(seed));
    }
}
