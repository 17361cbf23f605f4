using System.Globalization;
using System.Text.Json.Serialization;
using ClusterTrainer.Cli.Commands;
using ClusterTrainer.Cli.NetLab;
using ClusterTrainer.Exchange.Providers;
using ClusterTrainer.Exchange.Tcp;

namespace ClusterTrainer.Cli.Benchmarks;

public sealed record NetLabExchangeRow(
    [property: JsonPropertyName("gradient")] string Gradient,
    [property: JsonPropertyName("floats")] int Floats,
    [property: JsonPropertyName("nodes")] int Nodes,
    [property: JsonPropertyName("median_seconds")] double MedianSeconds,
    [property: JsonPropertyName("bound_seconds")] double BoundSeconds,
    [property: JsonPropertyName("ratio_to_bound")] double RatioToBound,
    [property: JsonPropertyName("ratio_to_raw_tcp_bound")] double RatioToRawTcpBound,
    [property: JsonPropertyName("stream_median_seconds")] double StreamMedianSeconds,
    [property: JsonPropertyName("ratio_to_stream")] double RatioToStream,
    [property: JsonPropertyName("cpu_seconds_per_call")] double CpuSecondsPerCall,
    [property: JsonPropertyName("ring_cpu_share")] double RingCpuShare);

public sealed record NetLabExchangeReport(
    [property: JsonPropertyName("benchmark")] string Benchmark,
    [property: JsonPropertyName("link_rate")] string LinkRate,
    [property: JsonPropertyName("link_bits_per_second")] double LinkBitsPerSecond,
    [property: JsonPropertyName("raw_tcp_mib_per_second")] double RawTcpMiBPerSecond,
    [property: JsonPropertyName("raw_tcp_fraction_of_link")] double RawTcpFractionOfLink,
    [property: JsonPropertyName("cores")] int Cores,
    [property: JsonPropertyName("rows")] IReadOnlyList<NetLabExchangeRow> Rows)
{
    /// <summary>ring, or hierarchical (a row ring and a column ring per node).</summary>
    [JsonPropertyName("all_reduce")]
    public string AllReduce { get; init; } = "ring";
}

/// <summary>
/// The data plane on emulated links (<see cref="LinkLab"/>): every process in a node of its own, each node's link shaped
/// to the same rate. First raw TCP between two nodes (one stream: what TCP gets out of the link, headers and all), then
/// for each gradient and node count the ring all-reduce against the bandwidth-optimal bound 2(N-1)/N x bytes / link
/// rate, alternating with a stream of the same bytes on the same ring, as <see cref="ExchangeProcessBenchmark"/> does
/// on loopback. Rank 0 runs in a node too and prints its batch times and CPU time; no rank runs in this machine's
/// namespace. N x rank 0's CPU time per call over (cores x call time) says how much of the machine the ring needed:
/// near or above 100 %, the cores and not the links were the limit.
/// </summary>
/// <param name="hierarchical">Measure the two-level all-reduce (a row ring and a column ring per node) instead of one ring.</param>
public sealed class NetLabExchangeBenchmark(LinkRate rate, IReadOnlyList<(string Name, int Floats)> gradients, IReadOnlyList<int> nodeCounts, int calls, Action<string> progress, bool hierarchical = false)
{
    private const int Port = 47100;

    /// <summary>Fewer than on loopback: a call on a 1 Gbit/s link is long enough that the runtime's warm-up is soon done.</summary>
    private const int WarmupBatches = 3;

    private static readonly string[] ReportFlag = ["--report"];

    private static readonly string[] HierarchicalFlag = ["--hierarchical"];

    private static readonly TimeSpan PeerLimit = TimeSpan.FromMinutes(5);

    public async Task<NetLabExchangeReport> RunAsync(CancellationToken cancellationToken)
    {
        using var lab = LinkLab.Create(Math.Max(2, nodeCounts.Max()), rate);
        progress($"lab: {lab.Nodes.Count} nodes ({lab.Nodes[0].Namespace}..), each link {rate.Text} (tc {(rate.Delay is null ? "tbf" : "netem")})");
        var raw = await MeasureRawAsync(lab, cancellationToken).ConfigureAwait(false);
        var fraction = raw * 1048576 / rate.BytesPerSecond;
        progress($"raw TCP between two nodes: {raw:F1} MiB/s = {fraction:P1} of the link rate");
        var rows = new List<NetLabExchangeRow>();
        foreach (var (name, floats) in gradients)
        {
            foreach (var nodes in nodeCounts)
            {
                var (median, stream, cpu) = await MeasureRingAsync(lab, floats, nodes, cancellationToken).ConfigureAwait(false);
                var share = nodes * cpu / (Environment.ProcessorCount * median);
                var bytes = (long)floats * sizeof(float);
                var bound = RingBound.Seconds(bytes, nodes, rate.BytesPerSecond);
                var rawBound = RingBound.Seconds(bytes, nodes, raw * 1048576);
                rows.Add(new NetLabExchangeRow(name, floats, nodes, median, bound, median / bound, median / rawBound, stream, median / stream, cpu, share));
                progress($"{name} gradient ({bytes / 1e6:F2} MB), {nodes} nodes: {median * 1000:F2} ms = {median / bound:F2} x bound at the link rate " +
                    $"({median / rawBound:F2} x at raw TCP), {median / stream:F2} x the stream of the same bytes ({stream * 1000:F2} ms); " +
                    $"rank 0 used {cpu * 1000:F2} ms of CPU per call, so the ring needs {share:P0} of this machine's cores");
            }
        }

        return new NetLabExchangeReport("exchange-netlab", rate.Text + (rate.Delay is null ? string.Empty : "," + rate.Delay), rate.BitsPerSecond, raw, fraction, Environment.ProcessorCount, rows)
        {
            AllReduce = hierarchical ? "hierarchical" : "ring",
        };
    }

    /// <summary>Half a second of the link per repetition (at least 4 MiB, at most 64 MiB).</summary>
    private async Task<double> MeasureRawAsync(LinkLab lab, CancellationToken cancellationToken)
    {
        var bytes = Math.Clamp((long)(rate.BytesPerSecond / 2), 4L << 20, 64L << 20);
        var endpoint = $"{lab.Nodes[0].Address}:{Port}";
        using var sink = LinkLab.Start(lab.Nodes[0], ["exchange-peer", "--sink", endpoint, "--bytes", bytes.ToString(CultureInfo.InvariantCulture), "--repetitions", "6"]);
        using var source = LinkLab.Start(lab.Nodes[1], ["exchange-peer", "--source", endpoint]);
        var output = await sink.WaitForSuccessAsync("the raw TCP receiver", PeerLimit, cancellationToken).ConfigureAwait(false);
        await source.WaitForSuccessAsync("the raw TCP source", TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        var line = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(ExchangePeerCommand.RawRateLine, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"the raw TCP receiver printed no rate; its output:\n{output}");
        return double.Parse(line[ExchangePeerCommand.RawRateLine.Length..], CultureInfo.InvariantCulture);
    }

    /// <returns>Medians over the timed batches: seconds per all-reduce call, per stream call, and rank 0's CPU seconds per all-reduce call.</returns>
    private async Task<(double AllReduce, double Stream, double Cpu)> MeasureRingAsync(LinkLab lab, int floats, int nodes, CancellationToken cancellationToken)
    {
        var endpoints = string.Join(',', lab.Nodes.Take(nodes).Select(node => ExchangeEndpoint.Format(node.Address, Port, hierarchical ? Port + 1 : null)));
        var session = $"bench-{Guid.NewGuid():N}";
        var batches = Math.Max(1, calls / ExchangeProcessBenchmark.BatchCalls) + WarmupBatches;
        var peers = Enumerable.Range(0, nodes).Select(rank => LinkLab.Start(lab.Nodes[rank], [
            "exchange-peer", "--rank", rank.ToString(CultureInfo.InvariantCulture), "--endpoints", endpoints, "--floats", floats.ToString(CultureInfo.InvariantCulture),
            "--batches", batches.ToString(CultureInfo.InvariantCulture), "--session", session, .. rank == 0 ? ReportFlag : [], .. hierarchical ? HierarchicalFlag : []])).ToArray();
        try
        {
            var outputs = await Task.WhenAll(peers.Select((peer, rank) => peer.WaitForSuccessAsync($"ring rank {rank} of {nodes}", PeerLimit, cancellationToken))).ConfigureAwait(false);
            var times = outputs[0].Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(ExchangePeerCommand.BatchLine, StringComparison.Ordinal))
                .Select(l => l[ExchangePeerCommand.BatchLine.Length..].Split(' ').Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray())
                .Skip(WarmupBatches).ToList();
            if (times.Count == 0)
            {
                throw new InvalidOperationException($"ring rank 0 reported no batch times; its output:\n{outputs[0]}");
            }

            return (Statistics.Median(times.Select(t => t[1]).ToList()), Statistics.Median(times.Select(t => t[0]).ToList()), Statistics.Median(times.Select(t => t[2]).ToList()));
        }
        finally
        {
            foreach (var peer in peers)
            {
                peer.Dispose();
            }
        }
    }
}
