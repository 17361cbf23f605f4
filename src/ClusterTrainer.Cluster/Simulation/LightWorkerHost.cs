using Akka.Actor;
using Akka.Hosting;
using Akka.Remote.Hosting;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Cluster.Nodes;
using ClusterTrainer.Cluster.Serialization;

namespace ClusterTrainer.Cluster.Simulation;

/// <summary>
/// The processes of a control-plane measurement: ActorSystems with the cluster nodes' remoting and serialization on
/// 127.0.0.1 (a free port), so every message between the coordinator and its light workers is serialized and crosses
/// a socket as on a real cluster. Akka.Cluster's membership is left out: its heartbeats cost per node, not per step.
/// </summary>
public static class LightWorkerHost
{
    public const string RegistryName = "light-workers";

    public static Task<ActorSystemHost> StartAsync(string systemName) =>
        ActorSystemHost.StartAsync(systemName, akka => akka
            .AddHocon(SerializationConfig.Hocon + RemotingTuning.Hocon, HoconAddMode.Prepend)
            .WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = 0 }));

    /// <summary>The address the system listens on (its port resolved).</summary>
    public static Address AddressOf(ActorSystem system) => ((ExtendedActorSystem)system).Provider.DefaultAddress;

    /// <summary>Where a measuring system's registry is, for <see cref="OfferAsync"/> in another process.</summary>
    public static string RegistryPath(Address measuring) => $"{measuring}/user/{RegistryName}";

    /// <summary>Starts <paramref name="count"/> light workers and registers each with the registry; fails when one is not accepted within the timeout.</summary>
    public static async Task<IReadOnlyList<IActorRef>> OfferAsync(ActorSystem system, string registryPath, int count, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(system);
        var registry = await system.ActorSelection(registryPath).ResolveOne(timeout).ConfigureAwait(false);
        var workers = Enumerable.Range(0, count).Select(i => system.ActorOf(LightWorkerActor.Props(registry), $"light-worker-{i}")).ToArray();
        await Task.WhenAll(workers.Select(w => registry.Ask<WorkerRegistered>(new RegisterWorker(ProtocolVersion.Current, w), timeout))).ConfigureAwait(false);
        return workers;
    }
}
