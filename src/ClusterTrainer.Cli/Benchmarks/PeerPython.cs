using System.ComponentModel;
using System.Diagnostics;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cli.Benchmarks;

/// <summary>
/// The Python interpreter that runs the PyTorch peer, and whether it can: Debian's python3-torch installs into
/// /usr/lib/python3/dist-packages, which only Debian's own /usr/bin/python3 sees (a pyenv or venv python3 first
/// on PATH does not), so that interpreter is the default rather than whatever `python3` PATH finds first.
/// </summary>
public static class PeerPython
{
    public const string EnvironmentVariable = "CLUSTERTRAINER_PYTHON";

    public const string DebianPython = "/usr/bin/python3";

    private const string Fix = "Fix: apt-get install python3-torch (Debian's PyTorch, which brings python3-numpy), or give --python (or CLUSTERTRAINER_PYTHON) an interpreter that has torch and numpy";

    /// <summary>--python, else CLUSTERTRAINER_PYTHON, else Debian's python3.</summary>
    public static (string Path, string Origin) Choose(string? given)
    {
        if (!string.IsNullOrWhiteSpace(given))
        {
            return (given, "--python");
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? (DebianPython, "--python (default)") : (fromEnvironment, EnvironmentVariable);
    }

    /// <summary>
    /// Imports torch and numpy in <paramref name="python"/> and returns torch's version; throws a
    /// <see cref="SettingsException"/> naming python3-torch where the interpreter or the packages are missing.
    /// </summary>
    public static async Task<string> RequireTorchAsync(string python, string origin, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import torch, torch.distributed, numpy; print(torch.__version__)");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception($"{python} did not start");
        }
        catch (Win32Exception error)
        {
            throw new SettingsException(origin, $"the PyTorch peer needs Python with PyTorch, but {python} cannot be run ({error.Message}). {Fix}.");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{python} took over 2 minutes to import torch; the machine is too busy to benchmark");
            }

            if (process.ExitCode != 0)
            {
                var why = (await errors.ConfigureAwait(false)).Trim().Split('\n')[^1];
                throw new SettingsException(origin, $"the PyTorch peer needs torch and numpy, and {python} cannot import them ({why}). {Fix}.");
            }

            return (await output.ConfigureAwait(false)).Trim();
        }
    }

    /// <summary>The peer script, copied next to the program by the build (Benchmarks/peer/ddp_cnn.py in the source).</summary>
    public static string Script()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Benchmarks", "peer", "ddp_cnn.py");
        return File.Exists(path) ? path : throw new FileNotFoundException($"the PyTorch peer script {path} is missing from this build; rebuild ClusterTrainer.Cli, which copies it there", path);
    }
}
