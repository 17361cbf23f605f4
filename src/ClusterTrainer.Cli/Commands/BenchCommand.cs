using System.ComponentModel;
using System.Globalization;
using ClusterTrainer.Cli.Benchmarks;
using ClusterTrainer.Cli.NetLab;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Data;
using ClusterTrainer.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>`clustertrainer bench`: is the actor cluster as fast as a plain loop, and which worker count is fastest?</summary>
public sealed class BenchCommand(IAnsiConsole console) : AsyncCommand<BenchCommand.Options>
{
    public sealed class Options : TrainOptions
    {
        [CommandOption("--samples <N>")]
        [Description("Training samples per measured run (default: 60000 for mlp, 6000 otherwise)")]
        public string? Samples { get; init; }

        [CommandOption("--repetitions <N>")]
        [Description("Runs of each configuration; the median is reported (default 5)")]
        public string? Repetitions { get; init; }

        [CommandOption("--worker-counts <LIST>")]
        [Description("Worker counts to measure besides 1 (default 2,4); with --exchange --netlab, the ring sizes (default 2,4,8)")]
        public string? WorkerCounts { get; init; }

        [CommandOption("--exchange")]
        [Description("Measure the data plane instead: raw TCP between two processes and the ring all-reduce of the MLP and CNN gradients across 2, 3 and 4 processes")]
        public bool Exchange { get; init; }

        [CommandOption("--netlab <RATE>")]
        [Description("With --exchange: measure on emulated links instead of loopback, every process in a network namespace of its own with its link shaped to RATE (e.g. 1gbit, 10gbit; RATE,DELAY where the kernel has netem); needs root and iproute2")]
        public string? NetLab { get; init; }

        [CommandOption("--cluster")]
        [Description("Compare the in-process cluster with a real multi-process cluster (`cluster` command) on the same job (defaults: 2 workers, embedded sample, 6 epochs so process start-up is amortised as in a real job; give --model cnn for the CNN)")]
        public bool Cluster { get; init; }

        [CommandOption("--dqn")]
        [Description("Benchmark the DQN actors on CartPole instead: env steps/s with 1, 2 and 4 collectors, learner updates/s (--samples = env steps per run, default 20000; --repetitions default 3)")]
        public bool Dqn { get; init; }

        [CommandOption("--modes")]
        [Description("Compare training modes on the same job instead: the default against --deterministic (with --micro-batch if given) and --precision bf16, on the in-process cluster with the given (or default) workers; prints and writes the ratio to the default")]
        public bool Modes { get; init; }

        [CommandOption("--sweep")]
        [Description("Measure the scheduler instead: a coordinator process and --worker-nodes worker processes run --sweep-jobs one-worker jobs (default --model mlp, 2 epochs of the embedded sample) one after another, then all at once; prints the ratio of the two wall times")]
        public bool Sweep { get; init; }

        [CommandOption("--control-plane")]
        [Description("Measure the coordinator instead: a real coordinator in this process drives light workers (no model; they answer each step at once) in --worker-nodes processes (default 4) over Akka.Remote, at each of --worker-counts (default 8,64,256); prints its CPU ms, messages and payload bytes per step and the CPU per worker against the smallest count (--repetitions default 3, --control-steps per run)")]
        public bool ControlPlane { get; init; }

        [CommandOption("--control-steps <N>")]
        [Description("With --control-plane: steps per measured job (default 500; the first fifth are not measured)")]
        public string? ControlSteps { get; init; }

        [CommandOption("--sweep-jobs <N>")]
        [Description("With --sweep: how many jobs (default 8)")]
        public string? SweepJobs { get; init; }

        [CommandOption("--worker-nodes <N>")]
        [Description("With --sweep: how many worker node processes (default 4); with --control-plane: how many light-worker processes (default 4)")]
        public string? WorkerNodes { get; init; }

        [CommandOption("--peer-report")]
        [Description("Compare with PyTorch instead: train the seed CNN through `clustertrainer train` and through PyTorch DistributedDataParallel (gloo; Debian's python3-torch) with the same data, workers x threads, global batch and optimizer (defaults: the first 20000 training images, 1 epoch, 2 x 1, batch 64; --repetitions default 3, interleaved), and print both samples/s and their ratio")]
        public bool PeerReport { get; init; }

        [CommandOption("--python <PATH>")]
        [Description("With --peer-report: the Python that runs the PyTorch peer (default: $CLUSTERTRAINER_PYTHON, then /usr/bin/python3, the one Debian's python3-torch installs for)")]
        public string? Python { get; init; }

        [CommandOption("--out <FILE>")]
        [Description("JSON report (default runs/bench-<model>-<time>.json)")]
        public string? Out { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.NetLab is not null && !settings.Exchange)
        {
            throw new SettingsException("--netlab", "measures the data plane on emulated links: give it with --exchange");
        }

        if (settings.NetLab is null && settings.ToSettings().AllReduce == AllReduceKind.Hierarchical)
        {
            throw new SettingsException("--all-reduce", "hierarchical is measured on the network lab only (bench's other jobs run in one process, in shared memory): give it with --exchange --netlab RATE");
        }

        if (settings.Exchange)
        {
            return await RunExchangeAsync(settings, cancellationToken).ConfigureAwait(false);

        }

        if (settings.Cluster)
        {
            return await RunClusterAsync(settings, cancellationToken).ConfigureAwait(false);
        }

        if (settings.Dqn)
        {
            return await RunDqnAsync(settings).ConfigureAwait(false);
        }

        if (settings.Modes)
        {
            return await RunModesAsync(settings).ConfigureAwait(false);
        }

        if (settings.Sweep)
        {
            return await RunSweepAsync(settings, cancellationToken).ConfigureAwait(false);
        }

        if (settings.ControlPlane)
        {
            return await RunControlPlaneAsync(settings, cancellationToken).ConfigureAwait(false);
        }

        if (settings.PeerReport)
        {
            return await RunPeerReportAsync(settings, cancellationToken).ConfigureAwait(false);
        }

        var training = settings.ToSettings();
        var samples = FlagValues.PositiveInt(settings.Samples, "--samples") ?? (training.Model == ModelKind.Mlp ? 60000 : 6000);
        var repetitions = FlagValues.PositiveInt(settings.Repetitions, "--repetitions") ?? 5;
        var workerCounts = ParseCounts(settings.WorkerCounts ?? "2,4");

        var data = ClassCount.RequireAtMost(new DataLocator().Load(training.Data, training.Seed), training.MaxClasses);
        data = data with { Train = data.Train.Take(samples), Test = data.Test.Take(500) };
        training = training with { Epochs = 1, Limit = null };
        console.MarkupLineInterpolated($"bench {training.Model}: {data.Train.Count} samples per run from {data.Source}, batch {training.BatchSize}, {repetitions} repetitions, {Environment.ProcessorCount} cores");

        var report = await new SupervisedBenchmark(training, data, repetitions, workerCounts, line => console.WriteLine(line)).RunAsync().ConfigureAwait(false);

        var table = new Table().AddColumns("configuration", "workers x threads", "samples/s (median)", "ratio to plain loop");
        foreach (var row in report.Rows)
        {
            table.AddRow(Markup.Escape(row.Name), $"{row.Workers} x {row.ThreadsPerWorker}", row.SamplesPerSecond.ToString("F0", CultureInfo.InvariantCulture), row.RatioToPlainLoop.ToString("F3", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        var path = settings.Out ?? Path.Combine("runs", $"bench-{report.Model}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        AtomicFile.WriteAllText(path, RunJson.Serialize(report));
        console.MarkupLineInterpolated($"report: {Path.GetFullPath(path)}");
        return 0;
    }

    private static int[] ParseCounts(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => FlagValues.PositiveInt(w, "--worker-counts")!.Value).ToArray();

    private static (string Name, int Floats)[] ModelGradients() =>
        new[] { ModelKind.Mlp, ModelKind.Cnn }.Select(kind =>
        {
            using var replica = new Replica(TrainingSettings.DefaultsFor(kind), [1, 28, 28], 10, 1);
            return (kind.ToString().ToUpperInvariant(), replica.ParameterCount);
        }).ToArray();

    private async Task<int> RunExchangeAsync(Options settings, CancellationToken cancellationToken)
    {
        if (settings.NetLab is { } netlab)
        {
            return await RunNetLabExchangeAsync(settings, LinkRate.Parse(netlab, "--netlab"), cancellationToken).ConfigureAwait(false);
        }

        var calls = FlagValues.PositiveInt(settings.Repetitions, "--repetitions") ?? 50;
        var gradients = ModelGradients();
        console.MarkupLineInterpolated($"bench --exchange: {calls} all-reduce calls per configuration (median time per call over batches of {ExchangeProcessBenchmark.BatchCalls}), {Environment.ProcessorCount} cores");
        var report = await new ExchangeProcessBenchmark(gradients, [2, 3, 4], calls, line => console.WriteLine(line)).RunAsync(cancellationToken).ConfigureAwait(false);

        var table = new Table().AddColumns("gradient", "processes", "all-reduce (median)", "bound 2(N-1)/N x bytes / raw TCP", "ratio to bound", "stream of the same bytes on the ring", "ratio to stream");
        foreach (var row in report.Rows)
        {
            table.AddRow($"{row.Gradient} ({row.Floats * 4 / 1e6:F2} MB)", row.Processes.ToString(CultureInfo.InvariantCulture),
                $"{row.MedianSeconds * 1000:F2} ms", $"{row.BoundSeconds * 1000:F2} ms", row.RatioToBound.ToString("F2", CultureInfo.InvariantCulture),
                $"{row.StreamMedianSeconds * 1000:F2} ms", row.RatioToStream.ToString("F2", CultureInfo.InvariantCulture));
        }

        console.MarkupLineInterpolated($"raw TCP between two processes: {report.RawTcpMiBPerSecond:F0} MiB/s (the baseline)");
        console.Write(table);
        var path = settings.Out ?? Path.Combine("runs", $"bench-exchange-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        AtomicFile.WriteAllText(path, RunJson.Serialize(report));
        console.MarkupLineInterpolated($"report: {Path.GetFullPath(path)}");
        return 0;
    }

    private async Task<int> RunNetLabExchangeAsync(Options settings, LinkRate rate, CancellationToken cancellationToken)
    {
        var calls = FlagValues.PositiveInt(settings.Repetitions, "--repetitions") ?? 50;
        var nodeCounts = ParseCounts(settings.WorkerCounts ?? "2,4,8");
        if (nodeCounts.Any(n => n is < 2 or > 200))
        {
            throw new SettingsException("--worker-counts", "a ring on the lab has 2 to 200 nodes");
        }

        var hierarchical = settings.ToSettings().AllReduce == AllReduceKind.Hierarchical;
        if (hierarchical && nodeCounts.FirstOrDefault(n => ClusterTrainer.Exchange.Tcp.TwoLevelGrid.For(n) is null) is > 0 and var gridless)
        {
            throw new SettingsException("--worker-counts", $"{gridless} nodes make no grid for --all-reduce hierarchical (it needs a world of at least 4 that is not prime, e.g. 4, 8, 16)");
        }

        console.MarkupLineInterpolated($"bench --exchange --netlab {rate.Text}: raw TCP between two nodes, then the {(hierarchical ? "hierarchical (two-level)" : "ring")} all-reduce on {string.Join(", ", nodeCounts)} nodes, {calls} calls per configuration (median time per call over batches of {ExchangeProcessBenchmark.BatchCalls}), {Environment.ProcessorCount} cores");
        var report = await new NetLabExchangeBenchmark(rate, ModelGradients(), nodeCounts, calls, line => console.WriteLine(line), hierarchical).RunAsync(cancellationToken).ConfigureAwait(false);

        var table = new Table().AddColumns("gradient", "nodes", "all-reduce (median)", "bound 2(N-1)/N x bytes / link rate", "ratio to bound", "ratio to bound at raw TCP", "stream of the same bytes", "ratio to stream", "CPU share of the ring");
        foreach (var row in report.Rows)
        {
            table.AddRow($"{row.Gradient} ({row.Floats * 4 / 1e6:F2} MB)", row.Nodes.ToString(CultureInfo.InvariantCulture),
                $"{row.MedianSeconds * 1000:F2} ms", $"{row.BoundSeconds * 1000:F2} ms", row.RatioToBound.ToString("F2", CultureInfo.InvariantCulture),
                row.RatioToRawTcpBound.ToString("F2", CultureInfo.InvariantCulture), $"{row.StreamMedianSeconds * 1000:F2} ms", row.RatioToStream.ToString("F2", CultureInfo.InvariantCulture), row.RingCpuShare.ToString("P0", CultureInfo.InvariantCulture));
        }

        console.MarkupLineInterpolated($"raw TCP between two nodes: {report.RawTcpMiBPerSecond:F1} MiB/s, {report.RawTcpFractionOfLink:P1} of the {rate.Text} link");
        if (report.RawTcpFractionOfLink < 0.9)
        {
            // TCP/IP and Ethernet headers take about 4.5 % of a 1500-byte frame; much less than the rest means the cores, not the link, were the limit.
            console.MarkupLine("[yellow]raw TCP reached under 90 % of the link rate: the CPU, not the link, was the limit at this rate[/]");
        }

        console.Write(table);
        var path = settings.Out ?? Path.Combine("runs", $"bench-exchange-netlab-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        AtomicFile.WriteAllText(path, RunJson.Serialize(report));
        console.MarkupLineInterpolated($"report: {Path.GetFullPath(path)}");
        return 0;
    }

    private async Task<int> RunModesAsync(Options settings)
    {
        // --deterministic may be given (it must be, for --micro-batch): the default mode is measured anyway, as the baseline.
        var given = settings.ToSettings();

        var samples = FlagValues.PositiveInt(settings.Samples, "--samples") ?? (given.Model == ModelKind.Mlp ? 60000 : 6000);
        var repetitions = FlagValues.PositiveInt(settings.Repetitions, "--repetitions") ?? 5;
        var data = ClassCount.RequireAtMost(new DataLocator().Load(given.Data, given.Seed), given.MaxClasses);
        data = data with { Train = data.Train.Take(samples), Test = data.Test.Take(500) };
        var baseline = given with { Epochs = 1, Limit = null, Deterministic = false, MicroBatch = null, Precision = Precision.Float32 };
        var deterministic = baseline with { Deterministic = true, MicroBatch = given.MicroBatch, Precision = given.Precision };
        var modes = new List<(string, TrainingSettings)>
        {
            ("default", baseline),
            ($"--deterministic (micro-batch {deterministic.MicroBatchSize}{(deterministic.Precision == Precision.Bf16 ? ", bf16" : string.Empty)})", deterministic),
        };
        modes.Add(("--precision bf16", baseline with { Precision = Precision.Bf16 }));

        var cores = Environment.ProcessorCount;
        if (baseline.ThreadsPerWorker(cores) != deterministic.ThreadsPerWorker(cores))
        {
            // Deterministic mode runs fewer threads per worker by default: this row shows how much of its cost is that.
            var threads = deterministic.ThreadsPerWorker(cores);
            modes.Add(($"default at --threads {threads}", baseline with { Threads = threads }));
        }

        console.MarkupLineInterpolated($"bench --modes {given.Model}: {data.Train.Count} samples per run from {data.Source}, batch {given.BatchSize}, {given.Workers} workers, {repetitions} repetitions, {Environment.ProcessorCount} cores");
        var report = await new ModesBenchmark(modes, data, repetitions, line => console.WriteLine(line)).RunAsync().ConfigureAwait(false);

        var table = new Table().AddColumns("mode", "workers x threads", "samples/s (median)", "ratio to default");
        foreach (var row in report.Rows)
        {
            table.AddRow(Markup.Escape(row.Mode), $"{row.Workers} x {row.ThreadsPerWorker}", row.SamplesPerSecond.ToString("F0", CultureInfo.InvariantCulture), row.RatioToBaseline.ToString("F3", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        var path = settings.Out ?? Path.Combine("runs", $"bench-modes-{report.Model}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        AtomicFile.WriteAllText(path, RunJson.Serialize(report));
        console.MarkupLineInterpolated($"report: {Path.GetFullPath(path)}");
        return 0;
    }

    private async Task<int> RunPeerReportAsync(Options settings, CancellationToken cancellationToken)
    {
        var training = PeerReportSettings.From(settings.SettingTexts());
        var samples = FlagValues.PositiveInt(settings.Samples, "--samples") ?? PeerReportSettings.DefaultSamples;
        var repetitions = FlagValues.PositiveInt(settings.Repetitions, "--repetitions") ?? 3;

        // The peer's prerequisites are checked before anything trains: a missing torch should cost seconds, not a ClusterTrainer run.
        var (python, origin) = PeerPython.Choose(settings.Python);
        var interpreter = new PeerInterpreter(python, await PeerPython.RequireTorchAsync(python, origin, cancellationToken).ConfigureAwait(false));
        PeerPython.Script();

        var loaded = new DataLocator().Load(training.Data, training.Seed);
        if (IdxSubset.Unsupported(loaded.Train) is { } why)
        {
            throw new SettingsException("--data", $"{why}; the PyTorch peer trains the CNN on images. Fix: give an MNIST-style IDX directory or `sample`");
        }

        // The test images only check that both sides learned the same thing (evaluation is not timed); a share keeps it short.
        var data = loaded with { Train = loaded.Train.Take(samples), Test = loaded.Test.Take(2000) };
        var directory = Directory.CreateTempSubdirectory("clustertrainer-peer-data-");
        try
        {
            IdxSubset.Write(directory.FullName, data);
            var peerData = new PeerData(directory.FullName, data.Source, data.Train.Count, data.Test.Count);
            console.MarkupLineInterpolated($"bench --peer-report: the seed CNN, {data.Train.Count} training images from {data.Source}, {training.Epochs} epoch(s), batch {training.BatchSize}, {training.Workers} workers x {training.Threads} thread(s), {repetitions} repetitions, {Environment.ProcessorCount} cores; PyTorch {interpreter.TorchVersion} from {python}");
            var report = await new PeerReportBenchmark(training, peerData, interpreter, repetitions, line => console.WriteLine(line)).RunAsync(cancellationToken).ConfigureAwait(false);

            var table = new Table().AddColumns("trainer", "workers x threads", "samples/s (median)", "test accuracy", "ratio to PyTorch");
            foreach (var row in report.Rows)
            {
                table.AddRow(Markup.Escape(row.Name), $"{row.Workers} x {row.ThreadsPerWorker}", row.SamplesPerSecond.ToString("F0", CultureInfo.InvariantCulture),
                    row.TestAccuracy.ToString("P2", CultureInfo.InvariantCulture), (row.SamplesPerSecond / report.Rows[^1].SamplesPerSecond).ToString("F3", CultureInfo.InvariantCulture));
            }

            console.Write(table);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ClusterTrainer / PyTorch DDP: {report.Ratio:F3} x (load average before {report.LoadAverageBefore}, after {report.LoadAverageAfter})"));
            var path = settings.Out ?? Path.Combine("runs", $"bench-peer-report-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
            AtomicFile.WriteAllText(path, RunJson.Serialize(report));
            console.MarkupLineInterpolated($"report: {Path.GetFullPath(path)}");
            return 0;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private async Task<int> RunDqnAsync(Options settings)
    {
        var steps = FlagValues.PositiveInt(settings.Samples, "--samples") ?? 20_000;
        var repetitions = FlagValues.PositiveInt(settings.Repetitions, "--repetitions") ?? 3;
        console.MarkupLineInterpolated($"bench dqn: cartpole, {steps} env steps per collection run, {repetitions} repetitions, {Environment.ProcessorCount} cores");
        var report = await new DqnBenchmark(steps, repetitions, line => console.WriteLine(line)).RunAsync().ConfigureAwait(false);

        var table = new Table().AddColumns("configuration", "rate (median)", "unit", "ratio to baseline", "baseline");
        foreach (var row in report.Rows)
        {
            table.AddRow(Markup.Escape(row.Name), row.Rate.ToString("F0", CultureInfo.InvariantCulture), row.Unit, row.RatioToBaseline.ToString("F2", CultureInfo.InvariantCulture), Markup.Escape(row.Baseline));
        }

        console.Write(table);
        var path = settings.Out ?? Path.Combine("runs", $"bench-dqn-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        AtomicFile.WriteAllText(path, RunJson.Serialize(report));
        console.MarkupLineInterpolated($"report: {Path.GetFullPath(path)}");
        return 0;
    }

    private async Task<int> RunClusterAsync(Options settings, CancellationToken cancellationToken)
    {
        var given = settings.ToSettings();
        var training = given with
        {
            Workers = settings.Workers is null ? 2 : given.Workers,
            Epochs = settings.Epochs is null ? 6 : given.Epochs,
            Data = given.Data ?? DataLocator.SampleKeyword,
        };
        var repetitions = FlagValues.PositiveInt(settings.Repetitions, "--repetitions") ?? 3;
        console.MarkupLineInterpolated($"bench --cluster: {training.Model} x {training.Workers} workers, {training.Epochs} epochs of {training.Data}, {repetitions} repetitions, {Environment.ProcessorCount} cores");
        var report = await new ClusterProcessBenchmark(training, repetitions, line => console.WriteLine(line)).RunAsync(cancellationToken).ConfigureAwait(false);
        var table = new Table().AddColumns("configuration", "samples/s (median)", "ratio to in-process");
        foreach (var row in report.Rows)
        {
            table.AddRow(Markup.Escape(row.Name), row.SamplesPerSecond.ToString("F0", CultureInfo.InvariantCulture), row.RatioToPlainLoop.ToString("F3", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        var path = settings.Out ?? Path.Combine("runs", $"bench-cluster-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        AtomicFile.WriteAllText(path, RunJson.Serialize(report));
        console.MarkupLineInterpolated($"report: {Path.GetFullPath(path)}");
        return 0;
    }

    private async Task<int> RunControlPlaneAsync(Options settings, CancellationToken cancellationToken)
    {
        var counts = ParseCounts(settings.WorkerCounts ?? "8,64,256");
        var processes = FlagValues.PositiveInt(settings.WorkerNodes, "--worker-nodes") ?? 4;
        var steps = FlagValues.PositiveInt(settings.ControlSteps, "--control-steps") ?? 500;
        if (steps < 10)
        {
            throw new SettingsException("--control-steps", $"must be at least 10 (got {steps}): the first fifth warm up and are not measured");
        }

        var repetitions = FlagValues.PositiveInt(settings.Repetitions, "--repetitions") ?? 3;
        console.MarkupLineInterpolated($"bench --control-plane: a coordinator in this process, light workers in {processes} processes, {string.Join(", ", counts)} workers, {steps} steps per job, {repetitions} jobs each, {Environment.ProcessorCount} cores");
        var report = await new ControlPlaneBenchmark(counts, processes, steps, repetitions, line => console.WriteLine(line)).RunAsync(cancellationToken).ConfigureAwait(false);

        var table = new Table().AddColumns("workers", "coordinator CPU ms / step", "wall ms / step", "messages / step", "payload bytes / step", "CPU us / worker / step", $"ratio per worker to {report.BaselineWorkers} workers");
        foreach (var row in report.Rows)
        {
            table.AddRow(row.Workers.ToString(CultureInfo.InvariantCulture), row.CpuMsPerStep.ToString("F3", CultureInfo.InvariantCulture), row.WallMsPerStep.ToString("F3", CultureInfo.InvariantCulture),
                row.StepMessagesPerStep.ToString("F0", CultureInfo.InvariantCulture), row.StepBytesPerStep.ToString("F0", CultureInfo.InvariantCulture),
                row.CpuMicrosecondsPerWorkerStep.ToString("F1", CultureInfo.InvariantCulture), row.PerWorkerRatioToBaseline.ToString("F2", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        var path = settings.Out ?? Path.Combine("runs", $"bench-control-plane-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        AtomicFile.WriteAllText(path, RunJson.Serialize(report));
        console.MarkupLineInterpolated($"report: {Path.GetFullPath(path)}");
        return 0;
    }

    private async Task<int> RunSweepAsync(Options settings, CancellationToken cancellationToken)
    {
        var jobs = FlagValues.PositiveInt(settings.SweepJobs, "--sweep-jobs") ?? 8;
        var workerNodes = FlagValues.PositiveInt(settings.WorkerNodes, "--worker-nodes") ?? 4;
        var epochs = FlagValues.PositiveInt(settings.Epochs, "--epochs") ?? 2;
        var job = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["model"] = settings.Model ?? "mlp",
            ["data"] = settings.Data ?? DataLocator.SampleKeyword,
            ["epochs"] = epochs.ToString(CultureInfo.InvariantCulture),
            ["workers"] = "1",
        };
        console.MarkupLineInterpolated($"bench --sweep: {jobs} one-worker {job["model"]} jobs, {epochs} epochs of {job["data"]}, on {workerNodes} worker node processes, {Environment.ProcessorCount} cores");
        var report = await new SweepBenchmark(job, jobs, workerNodes, line => console.WriteLine(line)).RunAsync(cancellationToken).ConfigureAwait(false);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one after another {report.OneAfterAnotherSeconds:F1} s, all at once {report.AllAtOnceSeconds:F1} s: ratio {report.Ratio:F3} (ideal {1.0 / workerNodes:F2})"));
        var path = settings.Out ?? Path.Combine("runs", $"bench-sweep-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        AtomicFile.WriteAllText(path, RunJson.Serialize(report));
        console.MarkupLineInterpolated($"report: {Path.GetFullPath(path)}");
        return 0;
    }
}
