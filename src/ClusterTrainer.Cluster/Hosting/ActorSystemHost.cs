using Akka.Actor;
using Akka.Hosting;
using Akka.Logger.Serilog;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>
/// Starts the ActorSystem through Akka.Hosting with Akka's own logs routed to Serilog (structured, with
/// the message template kept), and stops it with the host.
/// </summary>
public sealed class ActorSystemHost : IAsyncDisposable
{
    private readonly IHost _host;

    private ActorSystemHost(IHost host)
    {
        _host = host;
        System = host.Services.GetRequiredService<ActorSystem>();
        Stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        HttpAddresses = host.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
    }

    public ActorSystem System { get; }

    /// <summary>Where a web host listens, with the ports actually bound (port 0 resolved); empty without one.</summary>
    public IReadOnlyList<string> HttpAddresses { get; }

    /// <summary>Signalled when the host is stopped (or stops itself: the actor system terminated).</summary>
    public CancellationToken Stopping { get; }

    public static async Task<ActorSystemHost> StartAsync(string systemName, Action<AkkaConfigurationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        AddActorSystem(builder.Services, builder.Logging, systemName, configure);
        var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        return new ActorSystemHost(host);
    }

    /// <summary>Wraps a host that already runs an ActorSystem (a web host serving the job API, say).</summary>
    public static async Task<ActorSystemHost> StartAsync(IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        await host.StartAsync().ConfigureAwait(false);
        return new ActorSystemHost(host);
    }

    /// <summary>
    /// The ActorSystem, with Akka's logs through Serilog and no Microsoft console logging competing with ours.
    /// Neither the host nor Akka reacts to Ctrl-C, SIGTERM or process exit: the program that hosts them decides
    /// what a signal means (the CLI cancels the running command, see TerminationSignals) and stops the host
    /// itself. Their own handlers would stop the actor system under a command that still awaits it.
    /// </summary>
    public static void AddActorSystem(IServiceCollection services, ILoggingBuilder logging, string systemName, Action<AkkaConfigurationBuilder>? configure)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();
        services.AddSingleton<IHostLifetime, CallerOwnedLifetime>();
        services.AddAkka(systemName, akka =>
        {
            akka.AddHocon("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off", HoconAddMode.Prepend);
            akka.ConfigureLoggers(loggers =>
            {
                loggers.ClearLoggers();
                loggers.AddLogger<SerilogLogger>();
            });
            configure?.Invoke(akka);
        });
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(timeout.Token).ConfigureAwait(false);
        _host.Dispose();
    }

    /// <summary>A host lifetime that leaves signals and process exit to the program.</summary>
    private sealed class CallerOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
