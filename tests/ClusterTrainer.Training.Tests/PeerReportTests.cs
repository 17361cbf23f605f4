using System.Text.Json;
using ClusterTrainer.Cli;
using ClusterTrainer.Cli.Benchmarks;
using ClusterTrainer.Core;
using Xunit.Abstractions;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// Runs only where Debian's python3-torch is installed (`.ci/run` installs it when CLUSTERTRAINER_PEER_REPORT=1,
/// so it costs the ordinary suite nothing).
/// </summary>
public sealed class PyTorchFactAttribute : FactAttribute
{
    public const string DebianTorch = "/usr/lib/python3/dist-packages/torch/__init__.py";

    public PyTorchFactAttribute()
    {
        if (!File.Exists(PeerPython.DebianPython) || !File.Exists(DebianTorch))
        {
            Skip = $"{DebianTorch} is missing: the PyTorch peer needs Debian's python3-torch (apt-get install python3-torch, or CLUSTERTRAINER_PEER_REPORT=1 .ci/run)";
        }
    }
}

/// <summary>
/// `bench --peer-report` as a person runs it: without PyTorch it says which package to install before training
/// anything; with it, both trainers run the same small job and the report holds both rates and their ratio.
/// Speed itself is the command's business (README, Benchmarks), not a test's.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PeerReportTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_python_without_torch_should_fail_at_once_naming_the_package_to_install()
    {
        using var files = new TempDirectory();
        var python = files.Combine("python-without-torch");

        // A real interpreter that cannot see Debian's dist-packages (-S: no site directories), so `import torch`
        // fails as it does where python3-torch is not installed; where Python itself is missing, a stand-in that fails the same way.
        await File.WriteAllTextAsync(python, File.Exists(PeerPython.DebianPython)
            ? $"#!/bin/sh\nexec {PeerPython.DebianPython} -S \"$@\"\n"
            : "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n");
        File.SetUnixFileMode(python, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var report = files.Combine("peer.json");

        await using var cli = CliProcess.Start(new Dictionary<string, string> { [PeerPython.EnvironmentVariable] = python }, "bench", "--peer-report", "--data", "sample", "--samples", "128", "--out", report);
        var code = await cli.WaitForExitAsync(TimeSpan.FromMinutes(2));

        var text = CliProcess.Flat(cli.Output);
        output.WriteLine(text);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("apt-get install python3-torch", text, StringComparison.Ordinal);
        Assert.Contains(python, text, StringComparison.Ordinal);
        Assert.Contains("No module named 'torch'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("samples/s", text, StringComparison.Ordinal);
        Assert.False(File.Exists(report), "a report was written although nothing could be compared");
    }

    [Fact]
    public async Task Mirrored_images_should_be_refused_by_name_and_left_out_by_default_since_the_peer_trains_on_the_images_as_stored()
    {
        Assert.Equal(AugmentKind.None, PeerReportSettings.From(new Dictionary<string, string>()).Augment);
        Assert.Equal(AugmentKind.None, PeerReportSettings.From(new Dictionary<string, string> { ["--augment"] = "none" }).Augment);

        var (code, text) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "bench", "--peer-report", "--augment", "flip", "--data", "sample");

        output.WriteLine(text);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("--augment", text, StringComparison.Ordinal);
        Assert.Contains("leave --augment out", CliProcess.Flat(text), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_python_that_does_not_exist_should_be_named_with_the_package_to_install()
    {
        var (code, text) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "bench", "--peer-report", "--python", "/nonexistent/python3");

        output.WriteLine(text);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("--python", text, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/python3", text, StringComparison.Ordinal);
        Assert.Contains("apt-get install python3-torch", CliProcess.Flat(text), StringComparison.Ordinal);
    }

    [PyTorchFact]
    public async Task Both_trainers_should_train_the_same_small_job_and_the_report_should_hold_their_rates_and_ratio()
    {
        using var files = new TempDirectory();
        var report = files.Combine("peer.json");

        var (code, text) = await CliProcess.RunAsync(TimeSpan.FromMinutes(10), "bench", "--peer-report", "--data", "sample", "--samples", "512", "--repetitions", "1", "--out", report);

        output.WriteLine(text);
        Assert.True(code == 0, text);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var root = json.RootElement;
        Assert.Equal("peer-report", root.GetProperty("benchmark").GetString());
        Assert.Equal(512, root.GetProperty("samples_per_run").GetInt32());
        Assert.Equal(1, root.GetProperty("epochs").GetInt32());
        Assert.Equal(64, root.GetProperty("batch_size").GetInt32());
        Assert.Equal(2, root.GetProperty("workers").GetInt32());
        Assert.Equal(1, root.GetProperty("threads_per_worker").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("torch_version").GetString()));

        var rows = root.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(2, rows.Length);
        Assert.StartsWith("clustertrainer", rows[0].GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("pytorch", rows[1].GetProperty("name").GetString(), StringComparison.Ordinal);
        foreach (var row in rows)
        {
            // The same workers x threads on both sides: the comparison is only fair that way.
            Assert.Equal(2, row.GetProperty("workers").GetInt32());
            Assert.Equal(1, row.GetProperty("threads_per_worker").GetInt32());
            Assert.Single(row.GetProperty("repetitions").EnumerateArray());
            Assert.True(row.GetProperty("samples_per_second").GetDouble() > 0, row.ToString());
            var accuracy = row.GetProperty("test_accuracy").GetDouble();
            Assert.InRange(accuracy, 0, 1);
        }

        var ratio = rows[0].GetProperty("samples_per_second").GetDouble() / rows[1].GetProperty("samples_per_second").GetDouble();
        Assert.Equal(ratio, root.GetProperty("ratio").GetDouble(), 9);
        Assert.Contains("ClusterTrainer / PyTorch DDP", text, StringComparison.Ordinal);
    }
}
