using System.Diagnostics;
using System.Text;
using ClusterTrainer.Cli.Processes;

namespace ClusterTrainer.Cli.NetLab;

/// <summary>A process started in a lab node, with everything it wrote (read as it comes, so its pipes never fill).</summary>
public sealed class LabProcess : IDisposable
{
    private readonly StringBuilder _output = new();

    public LabProcess(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        Process = process;
        ChildProcesses.Add(process);
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Waits for the process to end, and fails with its output when it does not in time or exits non-zero.</summary>
    public async Task<string> WaitForSuccessAsync(string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what} did not finish within {timeout.TotalSeconds:0} s; its output:\n{Output}");
        }

        // The asynchronous readers may still hold the last lines: the parameterless wait drains them.
        await Process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return Process.ExitCode == 0 ? Output : throw new InvalidOperationException($"{what} exited with {Process.ExitCode}; its output:\n{Output}");
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        ChildProcesses.Remove(Process);
        Process.Dispose();
    }

    private void Append(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(e.Data);
        }
    }
}
