using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Serialization;
using ClusterTrainer.Cli.Processes;
using ClusterTrainer.Exchange;
using ClusterTrainer.Exchange.Tcp;

namespace ClusterTrainer.Cli.Benchmarks;

public sealed record ExchangeRow(
    [property: JsonPropertyName("gradient")] string Gradient,
    [property: JsonPropertyName("floats")] int Floats,
    [property: JsonPropertyName("processes")] int Processes,
    [property: JsonPropertyName("median_seconds")] double MedianSeconds,
    [property: JsonPropertyName("bound_seconds")] double BoundSeconds,
    [property: JsonPropertyName("ratio_to_bound")] double RatioToBound,
    [property: JsonPropertyName("stream_median_seconds")] double StreamMedianSeconds,
    [property: JsonPropertyName("ratio_to_stream")] double RatioToStream);

public sealed record ExchangeReport(
    [property: JsonPropertyName("benchmark")] string Benchmark,
    [property: JsonPropertyName("raw_tcp_mib_per_second")] double RawTcpMiBPerSecond,
    [property: JsonPropertyName("cores")] int Cores,
    [property: JsonPropertyName("rows")] IReadOnlyList<ExchangeRow> Rows);

/// <summary>
/// The data plane measured between real processes on this machine: raw TCP bandwidth between two
/// processes (the baseline), then the ring all-reduce of a model's gradient across N processes, as a
/// multiple of the bandwidth-optimal bound 2(N-1)/N x bytes / bandwidth. Each all-reduce call alternates with a
/// stream call on the same ring that moves the same bytes per node with nothing to add or wait for: on one
/// machine the N processes share its cores and its loopback, and the stream shows what the links give at once.
/// </summary>
public sealed class ExchangeProcessBenchmark(IReadOnlyList<(string Name, int Floats)> gradients, IReadOnlyList<int> worldSizes, int calls, Action<string> progress)
{
    private const long RawBytes = 64L << 20;

    public async Task<ExchangeReport> RunAsync(CancellationToken cancellationToken)
    {
        var raw = await MeasureRawAsync(cancellationToken).ConfigureAwait(false);
        progress($"raw TCP between two processes: {raw:F0} MiB/s");
        var rows = new List<ExchangeRow>();
        foreach (var (name, floats) in gradients)
        {
            foreach (var world in worldSizes)
            {
                var (median, stream) = await MeasureRingAsync(floats, world, cancellationToken).ConfigureAwait(false);
                var bound = RingBound.Seconds((long)floats * sizeof(float), world, raw * 1024 * 1024);
                rows.Add(new ExchangeRow(name, floats, world, median, bound, median / bound, stream, median / stream));
                progress($"{name} gradient ({floats} floats), {world} processes: {median * 1000:F2} ms = {median / bound:F2} x bound, " +
                    $"{median / stream:F2} x the stream of the same bytes ({stream * 1000:F2} ms)");
            }
        }

        return new ExchangeReport("exchange", raw, Environment.ProcessorCount, rows);
    }

    public static IPEndPoint[] ParseEndpoints(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(e => IPEndPoint.Parse(e)).ToArray();

    private static async Task<double> MeasureRawAsync(CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var peer = Start(["exchange-peer", "--source", port.ToString(CultureInfo.InvariantCulture)]);
        using var accept = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await listener.AcceptAsync(accept.Token).ConfigureAwait(false);
        var rate = RawTcp.MeasureReceiving(socket, RawBytes, repetitions: 6);
        await peer.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return rate;
    }

    /// <summary>
    /// Calls are timed in batches of <see cref="BatchCalls"/> back to back: a single call's time on one rank depends on
    /// when its neighbours started (a socket buffer holds a whole call's bytes), a batch's time is the ring's period.
    /// </summary>
    public const int BatchCalls = 10;

    /// <summary>
    /// Batches run before the timed ones: the peer processes have just started, and until the runtime has compiled
    /// the hot loops (tiered JIT) its compiler thread takes a share of the cores the ring needs.
    /// </summary>
    public const int WarmupBatches = 10;

    /// <returns>The medians over batches of the time per all-reduce call and per stream call.</returns>
    private async Task<(double AllReduce, double Stream)> MeasureRingAsync(int floats, int world, CancellationToken cancellationToken)
    {
        var ports = Enumerable.Range(0, world).Select(_ => LocalPorts.Free()).ToArray();
        var endpoints = string.Join(',', ports.Select(p => $"127.0.0.1:{p}"));
        var ring = ParseEndpoints(endpoints);
        var session = $"bench-{Guid.NewGuid():N}";
        var batches = Math.Max(1, calls / BatchCalls) + WarmupBatches;
        var peers = Enumerable.Range(1, world - 1).Select(rank => Start(["exchange-peer", "--rank", rank.ToString(CultureInfo.InvariantCulture), "--endpoints", endpoints,
            "--floats", floats.ToString(CultureInfo.InvariantCulture), "--batches", batches.ToString(CultureInfo.InvariantCulture), "--session", session])).ToArray();
        try
        {
            using var endpoint = TcpRingEndpoint.Bind(IPAddress.Loopback, ports[0], new TcpRingOptions(session));
            await using var exchange = await endpoint.ConnectAsync(0, ring, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            var buffer = GradientBuffer.Allocate(floats);
            var streamBytes = RingBound.BytesPerNode((long)floats * sizeof(float), world);
            var times = new List<double>();
            var streams = new List<double>();
            for (var batch = 0; batch < batches; batch++)
            {
                var clock = Stopwatch.StartNew();
                RunBatch(exchange, buffer, streamBytes, stream: true, cancellationToken);
                var streamed = clock.Elapsed.TotalSeconds / BatchCalls;
                clock.Restart();
                RunBatch(exchange, buffer, streamBytes, stream: false, cancellationToken);
                if (batch >= WarmupBatches)
                {
                    times.Add(clock.Elapsed.TotalSeconds / BatchCalls);
                    streams.Add(streamed);
                }
            }

            foreach (var peer in peers)
            {
                await peer.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            }

            return (Statistics.Median(times), Statistics.Median(streams));
        }
        finally
        {
            foreach (var peer in peers)
            {
                if (!peer.HasExited)
                {
                    peer.Kill(entireProcessTree: true);
                }

                peer.Dispose();
            }
        }
    }

    /// <summary>
    /// What every rank runs, in the same order: a batch of stream calls, then a batch of all-reduce calls. A hierarchical
    /// exchange streams on its row ring the bytes each rank moves in the whole all-reduce (the same as in one ring).
    /// </summary>
    public static void RunBatch(IGradientExchange exchange, GradientBuffer buffer, int streamBytes, bool stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        var streamRing = exchange as TcpRingExchange ?? (exchange as TwoLevelExchange)?.Row
            ?? throw new ArgumentException($"no ring to stream on in a {exchange.GetType().Name}", nameof(exchange));
        for (var call = 0; call < BatchCalls; call++)
        {
            if (stream)
            {
                streamRing.Stream(streamBytes, cancellationToken);
            }
            else
            {
                exchange.AllReduceSum(buffer, cancellationToken);
            }
        }
    }

    private static Process Start(IEnumerable<string> arguments) =>
        Process.Start(WorkerProcesses.SelfCommand(arguments)) ?? throw new InvalidOperationException("could not start a benchmark peer process");
}
