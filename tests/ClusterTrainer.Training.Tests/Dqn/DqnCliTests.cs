using System.Text.Json;
using ClusterTrainer.Cli;
using Spectre.Console.Testing;

namespace ClusterTrainer.Training.Tests.Dqn;

public class DqnCliTests
{
    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await CliApp.RunAsync(args, console);
        return (code, console.Output);
    }

    [Theory]
    [InlineData("--env", "pong")]
    [InlineData("--collectors", "0")]
    [InlineData("--steps", "ten")]
    [InlineData("--replay-ratio", "-1")]
    public async Task Bad_dqn_flags_should_exit_non_zero_with_a_message_naming_the_flag(string flag, string value)
    {
        var (code, output) = await RunAsync("dqn", flag, value);

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains(flag, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dqn_run_should_write_its_outputs_and_play_should_replay_the_policy()
    {
        using var directory = new TempDirectory();
        var run = directory.Combine("run");

        var (code, output) = await RunAsync("dqn", "--env", "cartpole", "--collectors", "2", "--steps", "3000", "--seed", "4", "--eval-interval", "1000", "--out", run);

        Assert.True(code == 0, output);
        foreach (var file in new[] { "summary.json", "metrics.csv", "returns.png", "model.bin", "settings.json", "log.json" })
        {
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} missing");
        }

        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(run, "summary.json")));
        var root = summary.RootElement;
        Assert.Equal("cartpole", root.GetProperty("env").GetString());
        Assert.Equal(2, root.GetProperty("collectors").GetInt32());
        Assert.Equal(3000, root.GetProperty("env_steps").GetInt64());
        Assert.Equal(1000, root.GetProperty("updates").GetInt64());
        Assert.Equal(4, root.GetProperty("seed").GetInt32());
        Assert.True(root.GetProperty("wall_seconds").GetDouble() > 0);
        Assert.True(root.GetProperty("env_steps_per_second").GetDouble() > 0);
        Assert.Equal(100, root.GetProperty("eval_episodes").GetInt32());
        Assert.True(root.TryGetProperty("solved_at_step", out _));
        var evalMean = root.GetProperty("eval_mean_return").GetDouble();
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length); // header + evaluations at 1000, 2000, 3000

        var (playCode, playOutput) = await RunAsync("play", "--run", run, "--episodes", "100");

        Assert.True(playCode == 0, playOutput);
        Assert.Contains("greedy mean return", playOutput, StringComparison.Ordinal);
        // The same weights on other seeds: a CartPole policy's mean moves, but not by much over 100 episodes.
        var played = double.Parse(playOutput.Split("greedy mean return ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(played, evalMean * 0.5, (evalMean * 1.5) + 10);
    }
}
