using System.Diagnostics;

namespace ClusterTrainer.Cli.NetLab;

/// <summary>Runs the lab's setup commands (ip, tc) with a time limit, and fails with their output when one fails.</summary>
internal static class LabShell
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static string Run(params string[] command)
    {
        var (code, output) = TryRun(command);
        return code == 0 ? output : throw new LabUnavailableException($"`{string.Join(' ', command)}` exited with {code}: {output.Trim()}");
    }

    public static (int Code, string Output) TryRun(params string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new LabUnavailableException($"{command[0]} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new LabUnavailableException($"`{string.Join(' ', command)}` did not finish within {Limit.TotalSeconds} s");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
    }

    public static bool Has(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(directory => File.Exists(Path.Combine(directory, program)));
}

/// <summary>The lab cannot be made here (no root, no iproute2, no tbf): the message says what is missing and how to get it.</summary>
public sealed class LabUnavailableException(string message) : Exception(message);
