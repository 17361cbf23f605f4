using System.Globalization;

namespace ClusterTrainer.Deploy.Tests;

public sealed class DockerfileTests
{
    private const string File = Dockerfile.File;

    [Fact]
    public void Should_run_as_a_non_root_user()
    {
        var user = Dockerfile.Arguments("USER", Dockerfile.FinalStage).LastOrDefault();

        Assert.False(user is null, $"{File}: the runtime stage sets no USER, so the node would run as root");
        Assert.True(user is not ("root" or "0") && !user.StartsWith("0:", StringComparison.Ordinal), $"{File}: the runtime stage runs as USER {user}");
    }

    [Fact]
    public void Should_expose_every_port_the_manifests_and_compose_use()
    {
        var exposed = Dockerfile.Arguments("EXPOSE", Dockerfile.FinalStage)
            .SelectMany(arguments => arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(port => port.Split('/')[0])
            .ToHashSet(StringComparer.Ordinal);

        var k8s = Kubectl.Render("k8s");
        foreach (var pod in k8s.ClusterPods)
        {
            foreach (var (name, number) in pod.Ports)
            {
                Assert.True(exposed.Contains(number.ToString(CultureInfo.InvariantCulture)),
                    $"{File} does not EXPOSE {number}, which {pod.Workload} declares as container port '{name}' (exposed: {string.Join(" ", exposed)})");
            }
        }

        foreach (var (name, service) in Compose.Nodes)
        {
            foreach (var (_, container) in Compose.Ports(service))
            {
                Assert.True(exposed.Contains(container), $"{File} does not EXPOSE {container}, which {Compose.File} publishes for service {name}");
            }
        }
    }

    [Fact]
    public void Should_copy_every_source_project_before_restoring()
    {
        var restore = Dockerfile.Instructions.FirstOrDefault(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        Assert.False(restore is null, $"{File} never runs dotnet restore");
        var copiedBeforeRestore = Dockerfile.Instructions.Where(i => i.Keyword == "COPY" && i.Line < restore.Line).Select(i => i.Arguments).ToList();

        var needed = Directory.GetFiles(Repo.PathOf("src"), "*.csproj", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Repo.Root, path).Replace('\\', '/'))
            .Concat(["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "src/build/"]);
        foreach (var path in needed)
        {
            Assert.True(copiedBeforeRestore.Any(arguments => arguments.Split(' ').Contains(path)),
                $"{File} does not COPY {path} before `dotnet restore` (line {restore.Line}); the restore would miss it");
        }
    }

    [Fact]
    public void Should_build_and_run_on_the_same_distro()
    {
        var bases = Dockerfile.BaseImages;
        Assert.True(bases.Count == 2, $"{File} should have two stages (sdk build, aspnet runtime), has {bases.Count}");

        // TorchSharp's native glue needs the runtime's libstdc++ to be as new as the one it was fixed up against.
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", bases[0], StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", bases[1], StringComparison.Ordinal);
        Assert.True(bases[0].Split(':')[1] == bases[1].Split(':')[1], $"{File}: build stage {bases[0]} and runtime stage {bases[1]} use different tags");
        Assert.EndsWith("-noble", bases[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Should_start_the_clustertrainer_node()
    {
        var assemblyName = System.Xml.Linq.XDocument.Load(Repo.PathOf("src/ClusterTrainer.Cli/ClusterTrainer.Cli.csproj"))
            .Descendants("AssemblyName").Single().Value;

        Assert.Equal($"[\"dotnet\", \"/app/{assemblyName}.dll\"]", Dockerfile.Arguments("ENTRYPOINT", Dockerfile.FinalStage).Single());
        Assert.Equal("[\"node\"]", Dockerfile.Arguments("CMD", Dockerfile.FinalStage).Single());
        Assert.Contains(Dockerfile.Arguments("RUN"), run => run.Contains("dotnet publish src/ClusterTrainer.Cli", StringComparison.Ordinal) && run.Contains("-o /app", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_listen_on_all_interfaces_and_keep_runs_in_a_directory_the_user_owns()
    {
        var env = Dockerfile.Env;

        Assert.True(env.GetValueOrDefault("CLUSTERTRAINER_HOST") == "0.0.0.0", $"{File}: ENV CLUSTERTRAINER_HOST should default to 0.0.0.0 in a container");
        var runs = env.GetValueOrDefault("CLUSTERTRAINER_RUNS_DIR");
        Assert.False(runs is null, $"{File}: no ENV CLUSTERTRAINER_RUNS_DIR");
        var user = Dockerfile.Arguments("USER", Dockerfile.FinalStage).Last();
        Assert.True(Dockerfile.Arguments("RUN", Dockerfile.FinalStage).Any(run => run.Contains($"chown {user}:{user} {runs}", StringComparison.Ordinal)),
            $"{File}: {runs} is not made and chowned to {user} in the runtime stage");
    }

    [Fact]
    public void Should_keep_build_outputs_and_git_out_of_the_build_context()
    {
        var ignored = System.IO.File.ReadAllLines(Repo.PathOf(".dockerignore")).Select(line => line.Trim()).ToHashSet(StringComparer.Ordinal);

        foreach (var pattern in new[] { "**/bin/", "**/obj/", ".git", "runs/" })
        {
            Assert.True(ignored.Contains(pattern), $".dockerignore does not exclude {pattern}");
        }
    }
}
