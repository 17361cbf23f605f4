using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cluster.Api;
using ClusterTrainer.Cluster.Coordination;

namespace ClusterTrainer.Cluster.Metrics;

/// <summary>
/// Feeds a coordinator node's metrics from what the job API already knows: every job event the registry publishes,
/// and, when Prometheus scrapes, the jobs by state, the workers the job manager has registered and the cluster's
/// members by status. Nothing here reaches into the scheduler.
/// </summary>
public static class CoordinatorMetrics
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    public static void Attach(NodeMetrics metrics, JobRegistry registry, ActorSystem system, IRequiredActor<JobManagerActor> jobManager)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(jobManager);
        registry.Published += metrics.JobEvent;
        metrics.Registry.AddBeforeCollectCallback(async cancel =>
        {
            var jobs = registry.List();
            var byState = Enum.GetValues<JobState>().Where(s => s != JobState.Unspecified)
                .ToDictionary(StateLabel, s => jobs.Count(j => j.State == s));
            var state = Akka.Cluster.Cluster.Get(system).State;
            var members = Enum.GetValues<MemberStatus>()
                .ToDictionary(s => s.ToString().ToLowerInvariant(), s => state.Members.Count(m => m.Status == s));
            metrics.Counts(byState, await RegisteredWorkersAsync(jobManager, cancel).ConfigureAwait(false), members);
        });
    }

    public static string StateLabel(JobState state) => state.ToString().ToLowerInvariant();

    /// <summary>Null when the job manager does not answer in time (it may be moving): the gauge keeps its last value.</summary>
    private static async Task<int?> RegisteredWorkersAsync(IRequiredActor<JobManagerActor> jobManager, CancellationToken cancel)
    {
        try
        {
            var manager = await jobManager.GetAsync(cancel).ConfigureAwait(false);
            var workers = await manager.Ask<ClusterWorkers>(GetClusterWorkers.Instance, AskTimeout, cancel).ConfigureAwait(false);
            return workers.Nodes.Count;
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
