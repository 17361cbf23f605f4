using System.Text.Json;

namespace ClusterTrainer.Training.Tests.Kubernetes;

/// <summary>
/// What the node image (deploy/Dockerfile) gives a container before Kubernetes adds anything: its entrypoint and
/// the environment of its runtime stage and of its .NET base image. The emulated pods run the same entrypoint
/// with the build output mounted where the image has it (/app).
/// </summary>
internal sealed record ImageConfig(IReadOnlyList<string> Entrypoint, IReadOnlyDictionary<string, string> Environment, string AppDirectory)
{
    /// <summary>The environment mcr.microsoft.com/dotnet/aspnet:10.0 sets (its Dockerfile), and the user's home.</summary>
    private static readonly Dictionary<string, string> BaseImage = new(StringComparer.Ordinal)
    {
        ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ["APP_UID"] = "1654",
        ["ASPNETCORE_HTTP_PORTS"] = "8080",
        ["DOTNET_RUNNING_IN_CONTAINER"] = "true",
        ["HOME"] = "/home/app",
    };

    public static ImageConfig FromDockerfile(string path)
    {
        var lines = File.ReadAllLines(path);
        var runtime = lines.Select((line, index) => (line, index)).Last(l => l.line.StartsWith("FROM ", StringComparison.Ordinal)).index;
        var environment = new Dictionary<string, string>(BaseImage, StringComparer.Ordinal);
        string[]? entrypoint = null;
        for (var i = runtime; i < lines.Length; i++)
        {
            var instruction = lines[i].Trim();
            while (instruction.EndsWith('\\') && i + 1 < lines.Length)
            {
                instruction = instruction[..^1] + " " + lines[++i].Trim();
            }

            if (instruction.StartsWith("ENV ", StringComparison.Ordinal))
            {
                foreach (var pair in instruction[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(word => word.Split('=', 2)).Where(p => p.Length == 2))
                {
                    environment[pair[0]] = pair[1];
                }
            }
            else if (instruction.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))
            {
                entrypoint = JsonSerializer.Deserialize<string[]>(instruction["ENTRYPOINT ".Length..]);
            }
        }

        if (entrypoint is null)
        {
            throw new InvalidOperationException($"{path} has no ENTRYPOINT in its last stage");
        }

        var dll = entrypoint.FirstOrDefault(word => word.EndsWith(".dll", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{path}: the ENTRYPOINT names no .dll");
        return new ImageConfig(entrypoint, environment, Path.GetDirectoryName(dll)!);
    }
}
