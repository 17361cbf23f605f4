using System.Diagnostics;

namespace ClusterTrainer.Deploy.Tests;

/// <summary>
/// deploy/e2e.sh runs the image and compose file for real where a Docker engine answers (see .ci/run); here, without
/// one, its own interface and the files it relies on are checked.
/// </summary>
public sealed class ContainerEndToEndTests
{
    private const string Script = "deploy/e2e.sh";
    private const string Override = "deploy/e2e/compose.e2e.yml";

    private static (int Code, string Output) Run(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
        start.ArgumentList.Add(Script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), $"{Script} {string.Join(' ', args)} did not exit within 30 s");
        return (process.ExitCode, output.Result + error.Result);
    }

    [Fact]
    public void The_script_should_be_executable_and_explain_itself()
    {
        var (code, output) = Run("--help");

        if (!OperatingSystem.IsWindows())
        {
            Assert.True(File.GetUnixFileMode(Repo.PathOf(Script)).HasFlag(UnixFileMode.UserExecute), $"{Script} is not executable");
        }

        Assert.Equal(0, code);
        Assert.Contains("docker info", output, StringComparison.Ordinal);
        Assert.Contains("CT_E2E_SDK_IMAGE", output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_argument_should_be_refused_with_exit_code_2()
    {
        var (code, output) = Run("--clean");

        Assert.Equal(2, code);
        Assert.Contains("'--clean'", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_override_should_only_replace_seq_and_switch_the_nodes_seq_sink_off()
    {
        var services = Yaml.Documents(Repo.Read(Override)).Single().Map("services")!;
        var names = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToList();

        Assert.All(names, name => Compose.Service(name!));
        Assert.DoesNotContain("datalust/seq", services.Text("seq", "image") ?? "datalust/seq", StringComparison.Ordinal);
        foreach (var (name, _) in Compose.Nodes)
        {
            Assert.Equal("", services.Pairs(name, "environment").GetValueOrDefault("CLUSTERTRAINER_SEQ_URL"));
            Assert.Equal(["environment"], services.Map(name)!.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        }
    }

    [Fact]
    public void CI_should_run_the_script_only_where_a_docker_engine_answers()
    {
        var ci = Repo.Read(".ci/run");
        var lines = ci.Split('\n').Select(line => line.Trim()).ToList();
        var check = lines.FindIndex(line => line.StartsWith("if docker info", StringComparison.Ordinal));
        var run = lines.FindIndex(line => line == Script);

        Assert.True(check >= 0 && run > check, ".ci/run should run deploy/e2e.sh inside `if docker info ...`");
        Assert.Contains("skipp", ci, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("dockerd", ci, StringComparison.Ordinal);
    }
}
