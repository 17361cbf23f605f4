using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ClusterTrainer.Cli.Benchmarks;
using ClusterTrainer.Core;
using ClusterTrainer.Exchange;
using ClusterTrainer.Exchange.Providers;
using ClusterTrainer.Exchange.Tcp;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>
/// Hidden helper of `bench --exchange`: the other processes of a measurement. Either a raw TCP source
/// (`--source [ADDRESS:]PORT`), a raw TCP receiver that prints the rate (`--sink ADDRESS:PORT`), or one rank of a ring
/// all-reduce (`--rank`, `--endpoints`, `--floats`), which with `--report` prints each batch's times.
/// </summary>
public sealed class ExchangePeerCommand : AsyncCommand<ExchangePeerCommand.Options>
{
    /// <summary>What a `--sink` prints, followed by the median rate in MiB/s.</summary>
    public const string RawRateLine = "raw-tcp-mib-per-second ";

    /// <summary>
    /// What a rank with `--report` prints per batch, followed by the seconds per stream call, per all-reduce call, and this
    /// process's CPU seconds per all-reduce call (whether the cores, not the links, are the limit).
    /// </summary>
    public const string BatchLine = "batch ";

    public sealed class Options : CommandSettings
    {
        [CommandOption("--source <ENDPOINT>")]
        [Description("Connect to ADDRESS:PORT (or 127.0.0.1:PORT) and send as many bytes as each request asks for")]
        public string? Source { get; init; }

        [CommandOption("--sink <ENDPOINT>")]
        [Description("Listen on ADDRESS:PORT, ask the source that connects for --bytes, --repetitions times, and print the median rate")]
        public string? Sink { get; init; }

        [CommandOption("--bytes <N>")]
        public long Bytes { get; init; } = 64L << 20;

        [CommandOption("--repetitions <N>")]
        public int Repetitions { get; init; } = 6;

        [CommandOption("--rank <RANK>")]
        public int Rank { get; init; }

        [CommandOption("--endpoints <LIST>")]
        public string Endpoints { get; init; } = string.Empty;

        [CommandOption("--floats <N>")]
        public int Floats { get; init; }

        [CommandOption("--batches <N>")]
        public int Batches { get; init; }

        [CommandOption("--session <ID>")]
        public string Session { get; init; } = "bench";

        [CommandOption("--hierarchical")]
        [Description("Run the all-reduce over a row ring and a column ring (--all-reduce hierarchical); each endpoint is ADDRESS:ROWPORT+COLUMNPORT")]
        public bool Hierarchical { get; init; }

        [CommandOption("--report")]
        [Description("Print each batch's seconds per stream call and per all-reduce call")]
        public bool Report { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Source is { } source)
        {
            var receiver = int.TryParse(source, NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? new IPEndPoint(IPAddress.Loopback, port) : IPEndPoint.Parse(source);
            await RawTcp.ServeAsync(receiver, cancellationToken).ConfigureAwait(false);
            return 0;
        }

        if (settings.Sink is { } sink)
        {
            await ReceiveAsync(IPEndPoint.Parse(sink), settings.Bytes, settings.Repetitions).ConfigureAwait(false);
            return 0;
        }

        var (exchange, worldSize) = settings.Hierarchical ? ConnectGrid(settings) : await ConnectRingAsync(settings, cancellationToken).ConfigureAwait(false);
        using var owned = (IDisposable)exchange;
        var buffer = GradientBuffer.Allocate(settings.Floats);
        var streamBytes = RingBound.BytesPerNode((long)settings.Floats * sizeof(float), worldSize);
        for (var batch = 0; batch < settings.Batches; batch++)
        {
            var clock = Stopwatch.StartNew();
            ExchangeProcessBenchmark.RunBatch(exchange, buffer, streamBytes, stream: true, cancellationToken);
            var streamed = clock.Elapsed.TotalSeconds / ExchangeProcessBenchmark.BatchCalls;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Restart();
            ExchangeProcessBenchmark.RunBatch(exchange, buffer, streamBytes, stream: false, cancellationToken);
            var reduced = clock.Elapsed.TotalSeconds / ExchangeProcessBenchmark.BatchCalls;
            var cpuPerCall = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / ExchangeProcessBenchmark.BatchCalls;
            if (settings.Report)
            {
                System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{BatchLine}{streamed:R} {reduced:R} {cpuPerCall:R}"));
            }
        }

        return 0;
    }

    private static async Task<(IGradientExchange Exchange, int WorldSize)> ConnectRingAsync(Options settings, CancellationToken cancellationToken)
    {
        var ring = ExchangeProcessBenchmark.ParseEndpoints(settings.Endpoints);
        using var endpoint = TcpRingEndpoint.Bind(ring[settings.Rank].Address, ring[settings.Rank].Port, new TcpRingOptions(settings.Session));
        return (await endpoint.ConnectAsync(settings.Rank, ring, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false), ring.Length);
    }

    /// <summary>Both rings of a hierarchical all-reduce, from endpoints "ADDRESS:ROWPORT+COLUMNPORT".</summary>
    private static (IGradientExchange Exchange, int WorldSize) ConnectGrid(Options settings)
    {
        var ranks = settings.Endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(text =>
        {
            var (row, column) = ExchangeEndpoint.Parse(text);
            return (Row: row, Column: column ?? throw new SettingsException("--endpoints", $"'{text}' has one port; a hierarchical all-reduce needs ADDRESS:ROWPORT+COLUMNPORT"));
        }).ToArray();
        var grid = TwoLevelGrid.For(ranks.Length) ?? throw new SettingsException("--endpoints", $"{ranks.Length} ranks make no grid for a hierarchical all-reduce (at least 4, not prime)");
        var (rowSession, columnSession) = TwoLevelExchange.Sessions(settings.Session, grid, settings.Rank);
        var self = ranks[settings.Rank];
        using var row = TcpRingEndpoint.Bind(self.Row.Address, self.Row.Port, new TcpRingOptions(rowSession));
        using var column = TcpRingEndpoint.Bind(self.Column.Address, self.Column.Port, new TcpRingOptions(columnSession));
        return (TwoLevelExchange.Connect(row, column, grid, settings.Rank, ranks, TimeSpan.FromSeconds(60)), ranks.Length);
    }

    private static async Task ReceiveAsync(IPEndPoint endpoint, long bytes, int repetitions)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(endpoint);
        listener.Listen(1);
        using var accept = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var socket = await listener.AcceptAsync(accept.Token).ConfigureAwait(false);
        var rate = RawTcp.MeasureReceiving(socket, bytes, repetitions);
        System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{RawRateLine}{rate:R}"));
    }
}
