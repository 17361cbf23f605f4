using System.Diagnostics;

namespace ClusterTrainer.Training.Tests.NetLab;

/// <summary>Runs the lab's setup commands (ip, tc, ...) and fails loudly, with their output, when one fails.</summary>
internal static class Shell
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static string Run(string program, params string[] arguments)
    {
        var (code, output) = TryRun(program, arguments);
        return code == 0 ? output : throw new InvalidOperationException($"`{program} {string.Join(' ', arguments)}` exited with {code}: {output}");
    }

    public static (int Code, string Output) TryRun(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{program} {string.Join(' ', arguments)}` did not finish within {Limit.TotalSeconds} s");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
    }

    /// <summary>Whether a program can be found on PATH.</summary>
    public static bool Has(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(directory => File.Exists(Path.Combine(directory, program)));
}
