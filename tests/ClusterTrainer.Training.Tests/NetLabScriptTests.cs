using System.Diagnostics;
using ClusterTrainer.Training.Tests.NetLab;

namespace ClusterTrainer.Training.Tests;

/// <summary>tests/netlab/netlab.sh, the lab by hand: nodes that reach each other by name, a shaped link, a cut and a heal, and a clean teardown.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NetLabScriptTests
{
    private static readonly string Script = Path.Combine(Repo.Root, "tests", "netlab", "netlab.sh");

    // Unique per test run, so a lab of someone working by hand is never touched.
    private readonly string _lab = $"t{Environment.ProcessId}";

    [ShapedNetLabFact]
    public async Task Nodes_should_reach_each_other_by_name_over_shaped_links_until_one_is_partitioned_and_again_once_healed()
    {
        try
        {
            var up = Lab("up", "3", "100mbit");
            Assert.Contains("node3", up, StringComparison.Ordinal);
            Assert.Contains("rate 100Mbit", Lab("exec", "1", "tc", "qdisc", "show", "dev", "eth0"), StringComparison.Ordinal);

            Assert.True(Reaches(from: 2, to: "node1"), "node2 could not reach node1 over the bridge");
            Lab("partition", "1");
            Assert.Contains("link DOWN", Lab("status"), StringComparison.Ordinal);
            Assert.False(Reaches(from: 2, to: "node1"), "node2 reached node1 through a cut link");
            Assert.True(Reaches(from: 2, to: "node3"), "cutting node1 cut node3 off too");
            Lab("heal", "1");
            Assert.True(Reaches(from: 2, to: "node1"), "node2 could not reach node1 after the link was healed");
        }
        finally
        {
            using var running = Start("exec", "3", "sleep", "600");
            var entered = await Poll.UntilAsync(() => Task.FromResult(Shell.TryRun("ip", "netns", "pids", $"ctlab-{_lab}-3").Output.Trim().Length > 0), TimeSpan.FromSeconds(10));
            Lab("down");
            Assert.True(entered, "the process never ran in node3");
            Assert.True(running.WaitForExit(TimeSpan.FromSeconds(10)), "a process in a node outlived `netlab.sh down`");
        }

        Assert.DoesNotContain($"ctlab-{_lab}-", Shell.Run("ip", "netns", "list"), StringComparison.Ordinal);
        Assert.False(Directory.Exists($"/etc/netns/ctlab-{_lab}-1"));
    }

    [ShapedNetLabFact]
    public void The_script_should_refuse_a_bad_rate_and_an_unknown_node_saying_what_to_give()
    {
        var (code, output) = Run("up", "2", "fast");
        Assert.NotEqual(0, code);
        Assert.Contains("is not a rate", output, StringComparison.Ordinal);

        (code, output) = Run("exec", "7", "true");
        Assert.NotEqual(0, code);
        Assert.Contains("no node '7'", output, StringComparison.Ordinal);
        Assert.DoesNotContain($"ctlab-{_lab}-", Shell.Run("ip", "netns", "list"), StringComparison.Ordinal);
    }

    /// <summary>
    /// A TCP connection to a port nobody listens on: a reachable node answers at once with a reset ("Connection refused");
    /// across a cut link the SYN is lost and the attempt times out.
    /// </summary>
    private bool Reaches(int from, string to)
    {
        var (_, output) = Run("exec", from.ToString(System.Globalization.CultureInfo.InvariantCulture), "timeout", "3", "bash", "-c", $"exec 3<>/dev/tcp/{to}/9");
        return output.Contains("Connection refused", StringComparison.Ordinal);
    }

    private string Lab(params string[] arguments)
    {
        var (code, output) = Run(arguments);
        return code == 0 ? output : throw new InvalidOperationException($"netlab.sh {string.Join(' ', arguments)} exited with {code}: {output}");
    }

    private Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NETLAB_NAME"] = _lab;
        return Process.Start(start)!;
    }

    private (int Code, string Output) Run(params string[] arguments)
    {
        using var process = Start(arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"netlab.sh {string.Join(' ', arguments)} did not finish within 60 s");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
