using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ClusterTrainer.Cli.Benchmarks;
using ClusterTrainer.Exchange;
using ClusterTrainer.Exchange.Tcp;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>
/// Hidden helper of `bench --exchange`: the other processes of a measurement. Either a raw TCP source
/// (`--source PORT`) or one rank of a ring all-reduce (`--rank`, `--endpoints`, `--floats`).
/// </summary>
public sealed class ExchangePeerCommand : AsyncCommand<ExchangePeerCommand.Options>
{
    public sealed class Options : CommandSettings
    {
        [CommandOption("--source <PORT>")]
        [Description("Connect to 127.0.0.1:PORT and send as many bytes as each request asks for")]
        public int? Source { get; init; }

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
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Options settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Source is { } port)
        {
            await ServeBytesAsync(port, cancellationToken).ConfigureAwait(false);
            return 0;
        }

        var ring = ExchangeProcessBenchmark.ParseEndpoints(settings.Endpoints);
        using var endpoint = TcpRingEndpoint.Bind(IPAddress.Loopback, ring[settings.Rank].Port, new TcpRingOptions(settings.Session));
        await using var exchange = await endpoint.ConnectAsync(settings.Rank, ring, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        var buffer = GradientBuffer.Allocate(settings.Floats);
        var streamBytes = RingBound.BytesPerNode((long)settings.Floats * sizeof(float), ring.Length);
        for (var batch = 0; batch < settings.Batches; batch++)
        {
            ExchangeProcessBenchmark.RunBatch(exchange, buffer, streamBytes, stream: true, cancellationToken);
            ExchangeProcessBenchmark.RunBatch(exchange, buffer, streamBytes, stream: false, cancellationToken);
        }

        return 0;
    }

    private static async Task ServeBytesAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = 4 << 20 };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        var block = new byte[1 << 20];
        var request = new byte[8];
        while (socket.Receive(request) == 8)
        {
            for (var left = BitConverter.ToInt64(request); left > 0;)
            {
                left -= socket.Send(block.AsSpan(0, (int)Math.Min(left, block.Length)));
            }
        }

    }
}
