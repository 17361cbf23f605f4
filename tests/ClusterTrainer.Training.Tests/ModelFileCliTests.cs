using System.Text.Json.Nodes;
using ClusterTrainer.Cli;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Training.Tests;

/// <summary>One small trained run whose files the tests copy and spoil.</summary>
public sealed class TrainedRun : IAsyncLifetime
{
    public TempDirectory Directory { get; } = new();

    public async Task InitializeAsync()
    {
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "train", "--data", "sample", "--limit", "600", "--epochs", "1", "--out", Directory.Path, "--force");
        Assert.True(code == 0, output);
    }

    public Task DisposeAsync()
    {
        Directory.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Files that are not what they claim, met through the real program (issue 15, item 5): exit 2, the file named,
/// what is wrong, and no stack trace.
/// </summary>
public sealed class ModelFileCliTests(TrainedRun trained) : IClassFixture<TrainedRun>, IDisposable
{
    private readonly TempDirectory _copy = new();

    public static TheoryData<string> Spoilers() => ["truncated", "empty", "random", "other-model", "other-hidden", "huge-hidden"];

    [Theory]
    [MemberData(nameof(Spoilers))]
    public async Task Evaluate_should_name_a_spoiled_file_and_exit_2_without_a_stack_trace(string spoiler)
    {
        foreach (var file in new[] { RunDirectory.ModelFile, RunDirectory.SettingsFile, RunDirectory.SummaryFile })
        {
            File.Copy(Path.Combine(trained.Directory.Path, file), _copy.Combine(file));
        }

        var model = _copy.Combine(RunDirectory.ModelFile);
        var settingsPath = _copy.Combine(RunDirectory.SettingsFile);
        var named = spoiler switch
        {
            "truncated" or "empty" or "random" => model,
            "huge-hidden" => settingsPath,
            _ => model,
        };
        switch (spoiler)
        {
            case "truncated":
                File.WriteAllBytes(model, File.ReadAllBytes(model)[..3000]);
                break;
            case "empty":
                File.WriteAllBytes(model, []);
                break;
            case "random":
                File.WriteAllBytes(model, Enumerable.Range(0, 5000).Select(i => (byte)((i * 7919) + 13)).ToArray());
                break;
            default:
                var settings = JsonNode.Parse(File.ReadAllText(settingsPath))!;
                if (spoiler == "other-model")
                {
                    settings["model"] = "Cnn";
                    settings["hidden"] = new JsonArray(256);
                }
                else
                {
                    settings["hidden"] = spoiler == "other-hidden" ? new JsonArray(128, 64) : new JsonArray(999_999_999);
                }

                File.WriteAllText(settingsPath, settings.ToJsonString());
                break;
        }

        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "evaluate", "--run", _copy.Path);
        Assert.True(code == CliApp.BadInput, output);
        var error = ErrorLine(output);
        Assert.Contains(named, error, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task Play_on_a_supervised_run_should_say_to_use_evaluate()
    {
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "play", "--run", trained.Directory.Path);
        Assert.True(code == CliApp.BadInput, output);
        Assert.Contains("supervised training run", output, StringComparison.Ordinal);
        Assert.Contains("clustertrainer evaluate --run", CliProcess.Flat(output), StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task Train_with_a_layer_too_big_for_memory_should_exit_2_naming_hidden()
    {
        using var run = new TempDirectory();
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "train", "--data", "sample", "--hidden", "999999999", "--out", run.Path);
        Assert.True(code == CliApp.BadInput, output);
        Assert.Contains("--hidden", output, StringComparison.Ordinal);
        Assert.Contains("parameters", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    public void Dispose() => _copy.Dispose();

    private static string ErrorLine(string output)
    {
        var start = output.IndexOf("clustertrainer:", StringComparison.Ordinal);
        Assert.True(start >= 0, output);
        // Spectre wraps long lines at the terminal width; the message is one paragraph.
        return output[start..].ReplaceLineEndings(string.Empty);
    }

    private static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("frame #", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception raised from", output, StringComparison.Ordinal);
    }
}
