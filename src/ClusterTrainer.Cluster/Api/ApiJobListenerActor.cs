using Akka.Actor;
using ClusterTrainer.Cluster.Coordination;

namespace ClusterTrainer.Cluster.Api;

/// <summary>Receives the events of jobs submitted through the API (the job manager's replies) and records them.</summary>
public sealed class ApiJobListenerActor : ReceiveActor
{
    public ApiJobListenerActor(JobRegistry registry)
    {
        Receive<JobAccepted>(_ => { });
        ReceiveAny(registry.Apply);
    }

    public static Props Props(JobRegistry registry) => Akka.Actor.Props.Create(() => new ApiJobListenerActor(registry));
}
