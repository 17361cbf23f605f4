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
}
