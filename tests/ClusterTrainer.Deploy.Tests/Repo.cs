namespace ClusterTrainer.Deploy.Tests;

/// <summary>The repository checkout the tests run in, found by walking up to ClusterTrainer.sln.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClusterTrainer.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ClusterTrainer.sln above {AppContext.BaseDirectory}");
    }
}
