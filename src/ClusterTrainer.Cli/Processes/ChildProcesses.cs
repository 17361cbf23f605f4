using System.Diagnostics;

namespace ClusterTrainer.Cli.Processes;

/// <summary>
/// The processes this program started and must not leave behind. Orderly paths stop them themselves
/// (<see cref="WorkerProcesses"/>); when the program has to end at once, <see cref="KillAll"/> takes them with it.
/// </summary>
public static class ChildProcesses
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<Process> Running = [];

    public static void Add(Process process)
    {
        lock (Gate)
        {
            Running.Add(process);
        }
    }

    public static void Remove(Process process)
    {
        lock (Gate)
        {
            Running.Remove(process);
        }
    }

    /// <summary>
    /// Kills every child (with its own children) and waits, up to <paramref name="wait"/> in all, until they are gone.
    /// The orderly path may be stopping the same processes at the same time (a second Ctrl-C during the first's
    /// cancellation), so a child that exits or is released meanwhile is simply skipped.
    /// </summary>
    public static void KillAll(TimeSpan wait)
    {
        Process[] processes;
        lock (Gate)
        {
            processes = [.. Running];
        }

        foreach (var process in processes)
        {
            Try(() => process.Kill(entireProcessTree: true));
        }

        var deadline = DateTime.UtcNow + wait;
        foreach (var process in processes)
        {
            var left = deadline - DateTime.UtcNow;
            Try(() => process.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero));
        }
    }

    private static void Try(Action action)
    {
        try
        {
            action();
        }
        catch (InvalidOperationException)
        {
            // It has exited, or its Process object was released by the orderly path.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // It could not be signalled because it is exiting.
        }
    }
}
