namespace ClusterTrainer.Training.Tests.Monitoring;

/// <summary>`node --management-port` through the real executable: listed in the help, bad values refused by name.</summary>
public sealed class ManagementPortFlagTests
{
    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var (code, output) = await CliProcess.RunAsync(TimeSpan.FromSeconds(60), args);

        // Redirected output is wrapped at 80 columns, keeping the space at each break: joining the lines restores it.
        return (code, output.Replace("\n", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_node_help_should_list_the_management_port()
    {
        var (code, output) = await RunAsync("node", "--help");

        Assert.Equal(0, code);
        Assert.Contains("--management-port", output, StringComparison.Ordinal);
        Assert.Contains("CLUSTERTRAINER_MANAGEMENT_PORT", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http", "is not a port number")]
    [InlineData("70000", "must be 0 (any free port) to 65535")]
    public async Task A_bad_management_port_should_exit_2_naming_the_flag(string value, string message)
    {
        var (code, output) = await RunAsync("node", "--role", "worker", "--seed-nodes", "akka.tcp://clustertrainer@127.0.0.1:1", "--management-port", value);

        Assert.Equal(2, code);
        Assert.Contains("--management-port", output, StringComparison.Ordinal);
        Assert.Contains(message, output, StringComparison.Ordinal);
    }
}
