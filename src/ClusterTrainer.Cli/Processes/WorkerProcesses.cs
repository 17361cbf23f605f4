using System.Diagnostics;
using System.Globalization;

namespace ClusterTrainer.Cli.Processes;

/// <summary>
/// Worker node processes started by `clustertrainer cluster`. Disposing stops every one of them (on
/// success, failure and Ctrl-C alike), first politely, then by force, so no process outlives the command.
/// </summary>
public sealed class WorkerProcesses : IAsyncDisposable
{
    private readonly List<Process> _processes = [];

    public IReadOnlyList<Process> Processes => _processes;

    public static WorkerProcesses Start(int count, string seedNode, string logDirectory)
    {
        var started = new WorkerProcesses();
        try
        {
            for (var i = 0; i < count; i++)
            {
                started._processes.Add(StartOne(i, count, seedNode, logDirectory));
            }

            return started;
        }
        catch
        {
            started.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Which command starts this same program again: the apphost, or `dotnet clustertrainer.dll`.</summary>
    public static ProcessStartInfo SelfCommand(IEnumerable<string> arguments)
    {
        var processPath = Environment.ProcessPath ?? "dotnet";
        var viaDotnet = Path.GetFileNameWithoutExtension(processPath) == "dotnet";
        var start = new ProcessStartInfo(processPath) { UseShellExecute = false };
        if (viaDotnet)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "clustertrainer.dll"));
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.Where(p => !HasExited(p)))
        {
            // SIGTERM: the node leaves the cluster and exits.
            _ = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
        }

        foreach (var process in _processes)
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            ChildProcesses.Remove(process);
            process.Dispose();
        }

        _processes.Clear();
    }

    /// <summary>
    /// Starts one more `clustertrainer node` process with these arguments (a coordinator, say), logging to
    /// <paramref name="name"/>.log.json and .out in <paramref name="logDirectory"/>; it is stopped with the others.
    /// </summary>
    /// <param name="environment">Variables set for this process only (DOTNET_PROCESSOR_COUNT, say).</param>
    public void StartNode(string name, IEnumerable<string> nodeArguments, string logDirectory, IReadOnlyDictionary<string, string>? environment = null) =>
        _processes.Add(Launch(name, ["node", .. nodeArguments, "--log-file", Path.Combine(logDirectory, $"{name}.log.json")], logDirectory, environment));

    /// <summary>Starts one more process of this program with a hidden helper command; its output goes to <paramref name="name"/>.out.</summary>
    public void StartHelper(string name, IEnumerable<string> arguments, string logDirectory) =>
        _processes.Add(Launch(name, [.. arguments], logDirectory, environment: null));

    /// <summary>
    /// A worker node on this machine, told its share of the cores (DOTNET_PROCESSOR_COUNT, which its threads follow, see
    /// WorkerPlacement): the worker processes share the machine as `train`'s in-process workers do. Each counting every
    /// core as its own ran 2 workers x 2 libtorch threads on 2 cores, at a third of `train`'s speed.
    /// </summary>
    private static Process StartOne(int index, int count, string seedNode, string logDirectory) =>
        Launch($"worker-{index}", ["node", "--role", "worker", "--host", "127.0.0.1", "--port", "0", "--seed-nodes", seedNode, "--log-file", Path.Combine(logDirectory, $"worker-{index}.log.json")], logDirectory,
            new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = Math.Max(1, Environment.ProcessorCount / count).ToString(CultureInfo.InvariantCulture) });

    private static Process Launch(string name, IReadOnlyList<string> arguments, string logDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        var start = SelfCommand(arguments);
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[variable] = value;
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start node process {name}");
        ChildProcesses.Add(process);
        var output = Path.Combine(logDirectory, $"{name}.out");
        _ = PumpAsync(process, output);
        return process;
    }

    private static async Task PumpAsync(Process process, string path)
    {
        await using var file = new StreamWriter(path, append: false) { AutoFlush = true };
        var stdout = CopyAsync(process.StandardOutput, file);
        var stderr = CopyAsync(process.StandardError, file);
        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
    }

    private static async Task CopyAsync(StreamReader from, StreamWriter to)
    {
        while (await from.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (to)
            {
                to.WriteLine(line);
            }
        }
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}
