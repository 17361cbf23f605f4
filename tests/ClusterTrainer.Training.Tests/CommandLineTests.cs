using ClusterTrainer.Cli;

namespace ClusterTrainer.Training.Tests;

/// <summary>Flags typed wrong get a message in the command's own words (issue 15, item 6).</summary>
public class CommandLineTests
{
    [Theory]
    [InlineData(new[] { "train", "--epochs" }, "--epochs needs a value: --epochs <N>")]
    [InlineData(new[] { "train", "--epochs", "--lr", "0.1" }, "--epochs needs a value")]
    [InlineData(new[] { "evaluate", "--run" }, "--run needs a value: --run <DIR>")]
    [InlineData(new[] { "node", "--role", "worker", "--host" }, "--host needs a value")]
    public void An_option_without_its_value_should_be_named(string[] args, string expected) =>
        Assert.Equal(expected, CommandOptions.MissingValue(args)?[..expected.Length]);

    [Theory]
    [InlineData("train", "--seed", "-1")]
    [InlineData("train", "--epochs=5")]
    [InlineData("submit", "--watch", "--epochs", "2")]
    [InlineData("unknown-command", "--epochs")]
    public void Values_that_are_present_should_pass(params string[] args) =>
        Assert.Null(CommandOptions.MissingValue(args));

    [Fact]
    public async Task Augment_flip_on_a_csv_should_exit_2_naming_the_option_and_the_fix()
    {
        using var data = new TempDirectory();
        var csv = data.Combine("points.csv");
        await File.WriteAllLinesAsync(csv, Enumerable.Range(0, 40).Select(i => $"{i % 5}.5,{i % 3},{i % 2}").Prepend("x,y,label"));

        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "train", "--data", csv, "--model", "tabular", "--augment", "flip", "--epochs", "1");

        Assert.True(code == CliApp.BadInput, output);
        var message = CliProcess.Flat(output);
        Assert.Contains("--augment", message, StringComparison.Ordinal);
        Assert.Contains("not images", message, StringComparison.Ordinal);
        Assert.Contains("give --augment none", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_augment_should_exit_2_listing_the_kinds()
    {
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "train", "--model", "cnn", "--augment", "rotate");

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("--augment: 'rotate' is not one of none, flip", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_given_the_removed_data_role_should_exit_2_saying_what_to_give_instead()
    {
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "node", "--role", "coordinator,data", "--port", "0", "--management-port", "0");

        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("--role", output, StringComparison.Ordinal);
        Assert.Contains("the data role was removed", output, StringComparison.Ordinal);
        Assert.Contains("Give 'coordinator'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_real_program_should_exit_2_naming_the_option_that_lacks_its_value()
    {
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "train", "--epochs");
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("--epochs needs a value", output, StringComparison.Ordinal);
        Assert.DoesNotContain("__default_command", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--model", "cnn", "--activation", "sigmoid", "--activation")]
    [InlineData("--model", "cnn", "--activation", "relu", "--activation")]
    [InlineData("--optimizer", "adam", "--momentum", "0.5", "--momentum")]
    [InlineData("--model", "rnn", "--hidden", "128,64", "--hidden")]
    [InlineData("--lr-schedule", "constant", "--lr-floor", "0.2", "--lr-floor")]
    [InlineData("--lr-warmup", "1", "--dropout", "0.1", "--lr-warmup")]
    [InlineData("--dropout", "1.5", "--lr", "0.1", "--dropout")]
    public async Task A_flag_the_model_would_ignore_should_be_refused_by_name(string flag1, string value1, string flag2, string value2, string named)
    {
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "train", "--data", "sample", flag1, value1, flag2, value2);
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains(named, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bf16_exchange_with_deterministic_mode_should_be_refused_by_name()
    {
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), "train", "--data", "sample", "--deterministic", "--exchange-precision", "bf16");
        Assert.Equal(CliApp.BadInput, code);
        Assert.Contains("--exchange-precision: bf16 cannot be used with --deterministic", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Native_stack_frames_should_not_reach_a_person()
    {
        var native = "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 3135999996864 bytes.\n" +
            "Exception raised from allocate_cpu at alloc_cpu.cpp:127 (most recent call first):\nframe #0: c10::Error::Error(...) + 0x9c";
        Assert.Equal("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 3135999996864 bytes.", ErrorText.ForPeople(native));
    }
}
