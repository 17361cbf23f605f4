using System.Runtime.InteropServices;

namespace ClusterTrainer.Cli.Processes;

/// <summary>
/// What Ctrl-C (SIGINT) and SIGTERM do to the program. The first signal cancels the running command through
/// <see cref="Token"/>: a job is cancelled, the outputs of its finished epochs stay, child processes are
/// stopped, and the program exits with 130. If that has not happened within <see cref="GracePeriod"/>, or a
/// second signal comes, the program kills its child processes and ends at once with 130.
/// </summary>
/// <remarks>
/// The program handles these signals itself because the defaults hang: .NET turns them into a process exit whose
/// handlers (Akka's coordinated shutdown, the generic host's console lifetime) wait for the very actors and hosts
/// that the interrupted command is still awaiting.
/// </remarks>
public sealed class TerminationSignals : IDisposable
{
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly TextWriter _notices;
    private int _received;

    private TerminationSignals(TextWriter notices)
    {
        _notices = notices;
    }

    /// <summary>Cancelled by the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _stop.Token;

    public static TerminationSignals Register(TextWriter notices)
    {
        ArgumentNullException.ThrowIfNull(notices);
        var signals = new TerminationSignals(notices);
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            try
            {
                signals._registrations.Add(PosixSignalRegistration.Create(signal, signals.OnSignal));
            }
            catch (PlatformNotSupportedException)
            {
                // Windows has no SIGTERM; Ctrl-C is still handled.
            }
        }

        return signals;
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the runtime from starting its own process exit (see remarks).
        context.Cancel = true;
        var name = context.Signal == PosixSignal.SIGINT ? "SIGINT (Ctrl-C)" : context.Signal.ToString();
        if (Interlocked.Increment(ref _received) > 1)
        {
            EndNow($"{name} again: stopping at once");
            return;
        }

        _notices.WriteLine($"clustertrainer: {name} received: cancelling; this takes at most {GracePeriod.TotalSeconds:0} s (press Ctrl-C again to stop at once)");
        _ = Task.Run(_stop.Cancel);
        _ = Task.Delay(GracePeriod).ContinueWith(
            _ => EndNow($"not stopped {GracePeriod.TotalSeconds:0} s after {name}: stopping at once"), TaskScheduler.Default);
    }

    private void EndNow(string reason)
    {
        try
        {
            _notices.WriteLine($"clustertrainer: {reason}");
            // Killed children take a moment to go; the program is not "ended" while they run.
            ChildProcesses.KillAll(TimeSpan.FromSeconds(5));
        }
        finally
        {
            Posix.ExitNow(CliApp.Cancelled);
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }
}
