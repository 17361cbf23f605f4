using System.Text.Json;
using ClusterTrainer.Cli.NetLab;
using ClusterTrainer.Training.Tests.NetLab;
using Xunit.Abstractions;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// `bench --exchange --netlab` as a person runs it, small (2 nodes, 200 Mbit/s links): it measures raw TCP and the ring
/// on shaped links, reports them against the bound, and leaves no namespace behind. How fast the ring is, is the
/// command's report to make, not this test's; what it checks is that the links were really shaped (nothing moves
/// faster than the link) and that the report's arithmetic is the bound's.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NetLabBenchTests(ITestOutputHelper output)
{
    private const double LinkBitsPerSecond = 200e6;

    [ShapedNetLabFact]
    public async Task Bench_exchange_netlab_should_measure_raw_tcp_and_the_ring_on_shaped_links_against_the_bound_and_remove_its_lab()
    {
        using var files = new TempDirectory();
        var report = files.Combine("netlab.json");

        await using var cli = CliProcess.Start("bench", "--exchange", "--netlab", "200mbit", "--worker-counts", "2", "--repetitions", "10", "--out", report);
        var code = await cli.WaitForExitAsync(TimeSpan.FromMinutes(5));

        output.WriteLine(cli.Output);
        Assert.True(code == 0, cli.Output);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var root = json.RootElement;
        Assert.Equal("200mbit", root.GetProperty("link_rate").GetString());
        Assert.Equal(LinkBitsPerSecond, root.GetProperty("link_bits_per_second").GetDouble());
        // Unshaped, a veth pair carries gigabytes per second: under the link rate means tbf shaped it.
        var fraction = root.GetProperty("raw_tcp_fraction_of_link").GetDouble();
        Assert.InRange(fraction, 0.5, 1.0);

        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["MLP", "CNN"], rows.Select(row => row.GetProperty("gradient").GetString()));
        foreach (var row in rows)
        {
            Assert.Equal(2, row.GetProperty("nodes").GetInt32());
            var bytes = row.GetProperty("floats").GetInt32() * 4.0;
            var bound = row.GetProperty("bound_seconds").GetDouble();
            var median = row.GetProperty("median_seconds").GetDouble();
            Assert.Equal(2.0 * (2 - 1) / 2 * bytes / (LinkBitsPerSecond / 8), bound, 9);
            Assert.Equal(median / bound, row.GetProperty("ratio_to_bound").GetDouble(), 9);
            // No all-reduce beats the bandwidth bound on a shaped link (5 % slack for the link's own burst).
            Assert.True(median >= 0.95 * bound, $"all-reduce {median} s under the bound {bound} s: the ring's links were not shaped");
            Assert.True(row.GetProperty("stream_median_seconds").GetDouble() > 0);
            Assert.True(row.GetProperty("cpu_seconds_per_call").GetDouble() > 0);
        }

        Assert.Contains("ratio to bound", cli.Output, StringComparison.Ordinal);
        var (_, namespaces) = Shell.TryRun("ip", "netns", "list");
        Assert.DoesNotContain($"{LinkLab.NamePrefix}{cli.Pid}n", namespaces, StringComparison.Ordinal);
    }

    [ShapedNetLabFact]
    public async Task Bench_exchange_netlab_hierarchical_should_run_the_two_level_all_reduce_on_four_nodes_within_the_link_bound()
    {
        using var files = new TempDirectory();
        var report = files.Combine("netlab-hierarchical.json");

        await using var cli = CliProcess.Start("bench", "--exchange", "--netlab", "200mbit", "--worker-counts", "4", "--repetitions", "10", "--all-reduce", "hierarchical", "--out", report);
        var code = await cli.WaitForExitAsync(TimeSpan.FromMinutes(5));

        output.WriteLine(cli.Output);
        Assert.True(code == 0, cli.Output);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        Assert.Equal("hierarchical", json.RootElement.GetProperty("all_reduce").GetString());
        foreach (var row in json.RootElement.GetProperty("rows").EnumerateArray())
        {
            Assert.Equal(4, row.GetProperty("nodes").GetInt32());
            var bound = row.GetProperty("bound_seconds").GetDouble();
            var median = row.GetProperty("median_seconds").GetDouble();
            // The same bytes per node as one ring: the same bound, which no all-reduce beats on shaped links.
            Assert.True(median >= 0.95 * bound, $"all-reduce {median} s under the bound {bound} s");
            Assert.True(median <= 3 * bound, $"all-reduce {median} s, three times the bound {bound} s: the two levels are not pipelined as rings");
        }

        var (_, namespaces) = Shell.TryRun("ip", "netns", "list");
        Assert.DoesNotContain($"{LinkLab.NamePrefix}{cli.Pid}n", namespaces, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--all-reduce", "hierarchical", "network lab only")]
    [InlineData("--worker-counts", "4,5", "5 nodes make no grid")]
    public async Task Bench_hierarchical_should_refuse_what_it_cannot_measure_naming_the_flag(string flag, string value, string message)
    {
        string[] arguments = flag == "--all-reduce" ? ["bench", "--all-reduce", value] : ["bench", "--exchange", "--netlab", "1gbit", "--all-reduce", "hierarchical", flag, value];
        var (code, text) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), arguments);

        Assert.Equal(2, code);
        Assert.Contains(flag, text, StringComparison.Ordinal);
        Assert.Contains(message, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fast", "is not a link rate")]
    [InlineData("1gbit,soon", "is not a delay")]
    [InlineData("500kbit", "outside 1mbit..400gbit")]
    public async Task Bench_exchange_netlab_should_refuse_a_rate_it_cannot_read_naming_the_flag(string rate, string message)
    {
        var (code, text) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "bench", "--exchange", "--netlab", rate);

        Assert.Equal(2, code);
        Assert.Contains("--netlab", text, StringComparison.Ordinal);
        Assert.Contains(message, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_netlab_without_exchange_should_say_it_measures_the_data_plane()
    {
        var (code, text) = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), "bench", "--netlab", "1gbit");

        Assert.Equal(2, code);
        Assert.Contains("give it with --exchange", text, StringComparison.Ordinal);
    }
}
