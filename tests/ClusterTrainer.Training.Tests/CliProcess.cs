using System.Diagnostics;
using System.Text;
using ClusterTrainer.Cli.Processes;

namespace ClusterTrainer.Training.Tests;

/// <summary>
/// The real `clustertrainer` program started as a person starts it, its output collected as it comes (a
/// redirected stream nobody reads fills its pipe, and the process then blocks on its next log line).
/// </summary>
internal sealed class CliProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waits = [];
    private readonly HashSet<int> _children = [];

    private CliProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += Append;
        process.ErrorDataReceived += Append;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public int Pid => Process.Id;

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

    /// <summary>
    /// Starts the program with SIGINT at its default disposition: a test host started in the background of a
    /// non-interactive shell ignores SIGINT, its children inherit that, and .NET then never sees Ctrl-C.
    /// </summary>
    public static CliProcess Start(params string[] args) => new(Process.Start(StartInfo(args))!);

    /// <summary>As <see cref="Start(string[])"/>, with these environment variables set (DOTNET_PROCESSOR_COUNT, say).</summary>
    public static CliProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var start = StartInfo(args);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new(Process.Start(start)!);
    }

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--default-signal=INT", "dotnet", Path.Combine(AppContext.BaseDirectory, "clustertrainer.dll") }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>Runs the program to its end (killed after <paramref name="timeout"/>); its exit code and everything it printed.</summary>
    public static async Task<(int Code, string Output)> RunAsync(TimeSpan timeout, params string[] args)
    {
        await using var cli = Start(args);
        var code = await cli.WaitForExitAsync(timeout);
        return (code, cli.Output);
    }

    /// <summary>Completes when the program has printed <paramref name="text"/>; fails with its output after <paramref name="timeout"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            _waits.Add((text, seen));
        }

        var exited = Process.WaitForExitAsync();
        var first = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout));
        if (first != seen.Task)
        {
            throw new TimeoutException($"'{text}' not printed {(first == exited ? "before the program exited" : $"within {timeout.TotalSeconds:0} s")}; output:\n{Output}");
        }
    }

    /// <summary>The exit code; the program is killed, and the test fails with its output, after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Process.Kill(entireProcessTree: true);
            throw new TimeoutException($"clustertrainer did not exit within {timeout.TotalSeconds:0} s; output:\n{Output}");
        }

        // The last lines may still be in the pipe: the parameterless wait returns once they are read.
        await Process.WaitForExitAsync();
        return Process.ExitCode;
    }

    public void Signal(int signal) => Assert.True(Posix.Signal(Pid, signal), $"process {Pid} is gone");

    /// <summary>The program's child processes now (Linux: /proc/PID/task/*/children); disposing kills any of them still alive.</summary>
    public int[] ChildPids()
    {
        var children = Directory.GetDirectories($"/proc/{Pid}/task")
            .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(int.Parse)
            .ToArray();
        _children.UnionWith(children);
        return children;
    }

    /// <summary>The output with every run of whitespace as one space: Spectre wraps messages at the terminal width.</summary>
    public static string Flat(string output) => System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");

    /// <summary>Whether process <paramref name="pid"/> still exists (a zombie counts as gone: it runs nothing).</summary>
    public static bool IsAlive(int pid)
    {
        var status = $"/proc/{pid}/status";
        try
        {
            return File.Exists(status) && !File.ReadAllText(status).Contains("State:\tZ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        // Children the program left behind (the failure a test looks for) must not outlive the test.
        foreach (var child in _children.Where(IsAlive))
        {
            Posix.Signal(child, Posix.SigKill);
        }

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
            foreach (var wait in _waits.Where(w => e.Data.Contains(w.Text, StringComparison.Ordinal)).ToArray())
            {
                wait.Seen.TrySetResult();
                _waits.Remove(wait);
            }
        }
    }
}
