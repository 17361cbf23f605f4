using System.Diagnostics;
using System.Text.Json;
using ClusterTrainer.Cli;
using ClusterTrainer.Cli.Commands;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Data;
using Spectre.Console.Testing;

namespace ClusterTrainer.Training.Tests;

public class CliTests
{
    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await CliApp.RunAsync(args, console);
        return (code, console.Output);
    }

    [Theory]
    [InlineData("--epochs", "0")]
    [InlineData("--model", "transformer")]
    [InlineData("--batch-size", "-1")]
    [InlineData("--optimizer", "rmsprop")]
    [InlineData("--hidden", "12,x")]
    [InlineData("--workers", "0")]
    [InlineData("--lr-schedule", "step")]
    public async Task Bad_flags_should_exit_non_zero_with_a_message_naming_the_flag(string flag, string value)
    {
        var (code, output) = await RunAsync("train", flag, value);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains(flag, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_flag_should_exit_non_zero()
    {
        var (code, output) = await RunAsync("train", "--epoks", "3");
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("epoks", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_data_directory_should_be_named_in_the_error()
    {
        var (code, output) = await RunAsync("train", "--data", "/nonexistent/fashion");
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("/nonexistent/fashion", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_corrupt_idx_file_should_be_named_in_the_error()
    {
        using var data = new TempDirectory();
        foreach (var name in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
        {
            await File.WriteAllBytesAsync(data.Combine(name), [0, 0, 8, 3, 0, 0]);
        }

        var (code, output) = await RunAsync("train", "--data", data.Path);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("-idx", output, StringComparison.Ordinal);
        Assert.Contains("truncated", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Train_should_write_readable_results_and_evaluate_should_reproduce_the_accuracy()
    {
        using var run = new TempDirectory();
        var (code, output) = await RunAsync("train", "--data", "sample", "--limit", "1200", "--epochs", "2", "--out", run.Path, "--seed", "3");
        Assert.True(code == 0, output);
        Assert.Contains("embedded Fashion-MNIST sample", output, StringComparison.Ordinal);

        foreach (var file in new[] { "summary.json", "metrics.csv", "loss.png", "accuracy.png", "model.bin", "settings.json", "log.json" })
        {
            Assert.True(File.Exists(Path.Combine(run.Path, file)), $"{file} missing");
        }

        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(run.Path, "summary.json")));
        var root = summary.RootElement;
        foreach (var field in new[] { "model", "dataset", "workers", "epochs", "batch_size", "samples", "wall_seconds", "train_seconds", "samples_per_second", "test_accuracy", "final_loss", "seed", "settings" })
        {
            Assert.True(root.TryGetProperty(field, out _), $"summary.json lacks {field}");
        }

        Assert.Equal(2400, root.GetProperty("samples").GetInt64());
        var csv = await File.ReadAllLinesAsync(Path.Combine(run.Path, "metrics.csv"));
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("epoch,train_loss,test_loss,test_accuracy,samples_per_second", csv[0], StringComparison.Ordinal);
        Assert.Contains("\"RunId\"", (await File.ReadAllLinesAsync(Path.Combine(run.Path, "log.json")))[0], StringComparison.Ordinal);

        var recorded = new RunDirectory(run.Path).ReadSummary().TestAccuracy;
        var settings = new RunDirectory(run.Path).ReadSettings();
        var reevaluated = EvaluateCommand.Evaluate(settings, new DataLocator().Load(settings.Data, settings.Seed), Path.Combine(run.Path, "model.bin"));
        Assert.Equal(recorded, reevaluated);

        var (evalCode, evalOutput) = await RunAsync("evaluate", "--run", run.Path);
        Assert.Equal(0, evalCode);
        Assert.Contains($"test accuracy {recorded:P2}", evalOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_without_a_model_should_exit_non_zero_and_say_what_is_missing()
    {
        using var run = new TempDirectory();
        var (code, output) = await RunAsync("evaluate", "--run", run.Path);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("model.bin", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_executable_should_exit_non_zero_on_bad_flags()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "clustertrainer.dll");
        var start = new ProcessStartInfo("dotnet", [cli, "train", "--epochs", "zero"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("epochs", await stdout + await stderr, StringComparison.Ordinal);
    }
}
