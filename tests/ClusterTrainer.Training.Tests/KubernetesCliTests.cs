using System.Text.RegularExpressions;

namespace ClusterTrainer.Training.Tests;

/// <summary>The command-line surfaces of issue 16 through the real `clustertrainer` executable.</summary>
public partial class KubernetesCliTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Train_on_cuda_without_a_gpu_should_fail_naming_the_node_and_the_fix()
    {
        using var run = new TempDirectory();
        var (code, output) = await MultiNodeTests.RunCliAsync(Limit, "train", "--device", "cuda", "--data", "sample", "--limit", "200", "--epochs", "1", "--out", run.Path);

        var text = Folded(output);
        Assert.True(code == 1, $"exit code {code}: {text}");
        Assert.Contains($"node {Environment.MachineName} cannot train on cuda", text, StringComparison.Ordinal);
        Assert.Contains("--device cpu", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_with_forced_exchange_staging_should_finish_and_record_the_setting()
    {
        using var run = new TempDirectory();
        var (code, output) = await MultiNodeTests.RunCliAsync(Limit, "train", "--exchange-staging", "always", "--workers", "2", "--data", "sample", "--limit", "600", "--epochs", "1", "--out", run.Path);

        Assert.True(code == 0, output);
        Assert.Contains("\"exchange_staging\": \"Always\"", await File.ReadAllTextAsync(Path.Combine(run.Path, "settings.json")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("train", "--exchange-staging", "sideways", "--data", "sample")]
    [InlineData("train", "--exchange-staging", "never", "--device", "cuda", "--data", "sample")]
    [InlineData("submit", "--exchange-staging", "always", "--data", "sample", "--server", "http://127.0.0.1:1")]
    public async Task An_exchange_staging_that_cannot_run_should_be_refused_with_exit_2_naming_the_flag(params string[] arguments)
    {
        var (code, output) = await MultiNodeTests.RunCliAsync(Limit, arguments);

        Assert.True(code == 2, $"exit code {code}: {output}");
        Assert.Contains("--exchange-staging", Folded(output), StringComparison.Ordinal);
    }

    private static string Folded(string text) => Whitespace().Replace(text, " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
