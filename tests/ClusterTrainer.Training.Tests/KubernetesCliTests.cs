namespace ClusterTrainer.Training.Tests;

/// <summary>The command-line surfaces of issue 16 through the real `clustertrainer` executable.</summary>
public class KubernetesCliTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Train_on_cuda_without_a_gpu_should_fail_naming_the_node_and_the_fix()
    {
        using var run = new TempDirectory();
        var (code, output) = await CliProcess.RunAsync(Limit, "train", "--device", "cuda", "--data", "sample", "--limit", "200", "--epochs", "1", "--out", run.Path);

        var text = CliProcess.Flat(output);
        Assert.True(code == 1, $"exit code {code}: {text}");
        Assert.Contains($"node {Environment.MachineName} cannot train on cuda", text, StringComparison.Ordinal);
        Assert.Contains("--device cpu", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_with_forced_exchange_staging_should_finish_and_record_the_setting()
    {
        using var run = new TempDirectory();
        var (code, output) = await CliProcess.RunAsync(Limit, "train", "--exchange-staging", "always", "--workers", "2", "--data", "sample", "--limit", "600", "--epochs", "1", "--out", run.Path);

        Assert.True(code == 0, output);
        Assert.Contains("\"exchange_staging\": \"Always\"", await File.ReadAllTextAsync(Path.Combine(run.Path, "settings.json")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("train", "--exchange-staging", "sideways", "--data", "sample")]
    [InlineData("train", "--exchange-staging", "never", "--device", "cuda", "--data", "sample")]
    [InlineData("submit", "--exchange-staging", "sideways", "--data", "sample", "--server", "http://127.0.0.1:1")]
    public async Task An_exchange_staging_that_cannot_run_should_be_refused_with_exit_2_naming_the_flag(params string[] arguments)
    {
        var (code, output) = await CliProcess.RunAsync(Limit, arguments);

        Assert.True(code == 2, $"exit code {code}: {output}");
        Assert.Contains("--exchange-staging", CliProcess.Flat(output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remoting_cert_should_write_a_pair_keep_it_on_a_second_run_and_replace_it_with_force()
    {
        using var directory = new TempDirectory();
        var (code, output) = await CliProcess.RunAsync(Limit, "remoting-cert", "--out", directory.Path);
        Assert.True(code == 0, output);
        var certificate = await File.ReadAllTextAsync(directory.Combine("tls.crt"));
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", certificate, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(directory.Combine("tls.key")));
        }

        (code, output) = await CliProcess.RunAsync(Limit, "remoting-cert", "--out", directory.Path);
        Assert.True(code == 0, output);
        Assert.Contains("kept the existing remoting certificate", CliProcess.Flat(output), StringComparison.Ordinal);
        Assert.Equal(certificate, await File.ReadAllTextAsync(directory.Combine("tls.crt")));

        (code, output) = await CliProcess.RunAsync(Limit, "remoting-cert", "--out", directory.Path, "--force");
        Assert.True(code == 0, output);
        Assert.NotEqual(certificate, await File.ReadAllTextAsync(directory.Combine("tls.crt")));
    }

    [Fact]
    public async Task Remoting_cert_without_out_should_exit_2_and_its_help_should_list_its_options()
    {
        var (code, output) = await CliProcess.RunAsync(Limit, "remoting-cert");
        Assert.True(code == 2, $"exit code {code}: {output}");
        Assert.Contains("--out", output, StringComparison.Ordinal);

        (code, output) = await CliProcess.RunAsync(Limit, "remoting-cert", "--help");
        Assert.True(code == 0, output);
        Assert.Contains("--out", output, StringComparison.Ordinal);
        Assert.Contains("--force", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--tls-cert", "/nonexistent/tls.crt")]
    [InlineData("--management-port", "70000")]
    [InlineData("--join-timeout", "soon")]
    public async Task Node_should_refuse_bad_kubernetes_settings_with_exit_2_naming_them(string flag, string value)
    {
        string[] extra = flag == "--tls-cert" ? ["--tls-key", "/nonexistent/tls.key"] : [];
        var (code, output) = await CliProcess.RunAsync(Limit, ["node", "--role", "worker", "--seed-nodes", "akka.tcp://clustertrainer@127.0.0.1:1", flag, value, .. extra]);

        Assert.True(code == 2, $"exit code {code}: {output}");
        Assert.Contains(flag, CliProcess.Flat(output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_help_should_list_the_tls_probe_and_join_options()
    {
        var (code, output) = await CliProcess.RunAsync(Limit, "node", "--help");

        Assert.True(code == 0, output);
        foreach (var option in new[] { "--tls-cert", "--tls-key", "--management-port", "--join-timeout" })
        {
            Assert.Contains(option, output, StringComparison.Ordinal);
        }
    }
}
