using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;

namespace ClusterTrainer.Deploy.Tests;

internal sealed record KubectlResult(int ExitCode, string Output, string Error);

/// <summary>Runs `kubectl kustomize` (offline: it needs no cluster) and keeps each rendering for the other tests.</summary>
internal static class Kubectl
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly ConcurrentDictionary<string, Lazy<Manifests>> Rendered = new(StringComparer.Ordinal);

    public static KubectlResult Kustomize(string relativeDirectory)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repo.Root,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(relativeDirectory);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        }
        catch (Win32Exception error)
        {
            Assert.Fail($"kubectl is not installed or not on PATH ({error.Message}). Install kubectl 1.32 or later " +
                "(it includes kustomize): the deployment checks render k8s/ with `kubectl kustomize` and cannot be skipped.");
            throw;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"`kubectl kustomize {relativeDirectory}` did not finish within {Timeout.TotalSeconds} s");
            }

            process.WaitForExit();
            return new KubectlResult(process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
        }
    }

    /// <summary>The objects `kubectl kustomize` renders for a kustomization directory; a failed rendering fails the test.</summary>
    public static Manifests Render(string relativeDirectory) =>
        Rendered.GetOrAdd(relativeDirectory, directory => new Lazy<Manifests>(() =>
        {
            var result = Kustomize(directory);
            Assert.True(result.ExitCode == 0, $"`kubectl kustomize {directory}` exited with {result.ExitCode}: {result.Error}");
            return new Manifests(directory, Yaml.Documents(result.Output));
        })).Value;
}
