using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Nodes;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>
/// A node's health as checks with Akka.Hosting's tags: "liveness" while its actor system runs; "ready" once it is
/// an Up member of the cluster and can do its part (a coordinator: the job manager singleton answers; a worker:
/// the coordinator accepted it). A node that founded a cluster of its own, or never joined one, is not ready.
/// </summary>
public static class NodeHealthChecks
{
    public const string ReadyTag = "ready";
    public const string LivenessTag = "liveness";

    private static readonly TimeSpan SingletonTimeout = TimeSpan.FromSeconds(3);

    public static AkkaConfigurationBuilder WithNodeHealthChecks(this AkkaConfigurationBuilder akka, NodeOptions options, WorkerRegistrationStatus? registration)
    {
        ArgumentNullException.ThrowIfNull(akka);
        ArgumentNullException.ThrowIfNull(options);
        akka.WithActorSystemLivenessCheck().WithAkkaClusterReadinessCheck();
        if (options.Has(NodeOptions.CoordinatorRole))
        {
            akka.WithHealthCheck("clustertrainer.job-manager", JobManagerAnswersAsync, HealthStatus.Unhealthy, [ReadyTag]);
        }

        if (registration is not null)
        {
            akka.WithHealthCheck("clustertrainer.worker-registered", (_, _, _) => Task.FromResult(registration.Coordinator is { } coordinator
                ? HealthCheckResult.Healthy($"registered with {coordinator}")
                : HealthCheckResult.Unhealthy("not registered with a coordinator yet")), HealthStatus.Unhealthy, [ReadyTag]);
        }

        return akka;
    }

    private static async Task<HealthCheckResult> JobManagerAnswersAsync(ActorSystem system, ActorRegistry registry, CancellationToken cancellationToken)
    {
        if (!registry.TryGet<JobManagerActor>(out var jobManager))
        {
            return HealthCheckResult.Unhealthy("the job manager proxy does not exist yet");
        }

        try
        {
            await jobManager.Ask<ClusterWorkers>(GetClusterWorkers.Instance, SingletonTimeout, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("the job manager singleton answers");
        }
        catch (AskTimeoutException)
        {
            return HealthCheckResult.Unhealthy($"the job manager singleton did not answer within {SingletonTimeout.TotalSeconds:0} s");
        }
    }
}
