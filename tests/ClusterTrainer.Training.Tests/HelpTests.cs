using ClusterTrainer.Cli;

namespace ClusterTrainer.Training.Tests;

/// <summary>`--help` is the first thing a person types: every command's, through the real program (issue 13, item 1).</summary>
public class HelpTests
{
    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        foreach (var command in CommandCatalog.All.Where(c => !c.Hidden))
        {
            data.Add(command.Name);
        }

        return data;
    }

    [Fact]
    public async Task The_main_help_should_list_every_command()
    {
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "--help");
        Assert.True(code == 0, output);
        foreach (var command in CommandCatalog.All)
        {
            Assert.Equal(!command.Hidden, output.Contains($" {command.Name} ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task The_help_of_every_command_should_exit_0_and_list_every_option(string name)
    {
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), name, "--help");
        Assert.True(code == 0, output);
        var options = CommandOptions.Of(CommandCatalog.Find(name)!.SettingsType);
        Assert.NotEmpty(options);
        foreach (var option in options)
        {
            Assert.True(output.Contains(option.LongName, StringComparison.Ordinal), $"`{name} --help` does not list {option.LongName}:\n{output}");
        }
    }

    [Fact]
    public async Task A_description_with_brackets_should_be_printed_as_written()
    {
        // Spectre.Console reads "[0, 1)" as the start of a markup tag: that broke every training command's help.
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "train", "--help");
        Assert.True(code == 0, output);
        Assert.Contains("0 <= M < 1", output, StringComparison.Ordinal);
        Assert.DoesNotContain("malformed markup", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_to_a_pipe_should_not_be_wrapped_at_80_columns_and_COLUMNS_should_be_honoured()
    {
        // Redirected, Spectre.Console assumed 80 columns: `status > file` stacked a member's roles one letter a line.
        const string Description = "Global mini-batch: samples per optimizer step, split across workers (default: 100; 32 cnn; 16 tabular; 1 = SGD, the training-set size = batch gradient descent)";
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "train", "--help");
        Assert.True(code == 0, output);
        Assert.Contains(Description, output, StringComparison.Ordinal);

        await using var narrow = CliProcess.Start(new Dictionary<string, string> { ["COLUMNS"] = "70" }, "train", "--help");
        Assert.Equal(0, await narrow.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.DoesNotContain(Description, narrow.Output, StringComparison.Ordinal);
        Assert.All(narrow.Output.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 70, $"{line.TrimEnd().Length} columns: {line}"));
    }
}
