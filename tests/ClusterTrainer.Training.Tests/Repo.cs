namespace ClusterTrainer.Training.Tests;

/// <summary>The repository checkout the tests run in, found by walking up to ClusterTrainer.sln.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ClusterTrainer.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no ClusterTrainer.sln above {AppContext.BaseDirectory}");
    }
}
