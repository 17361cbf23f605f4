using System.Runtime.InteropServices;

namespace ClusterTrainer.Cli.Processes;

/// <summary>The two POSIX calls .NET has no API for: sending a signal to a process, and ending this one at once.</summary>
public static partial class Posix
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; false when there is no such process.</summary>
    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>
    /// Ends the process now with <paramref name="code"/>, without running exit handlers. Environment.Exit would
    /// run them, and a handler that waits for the actor system or the host to stop is exactly what a second
    /// Ctrl-C must not wait for.
    /// </summary>
    public static void ExitNow(int code)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            ExitProcess(code);
        }

        Environment.Exit(code);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void ExitProcess(int code);
}
