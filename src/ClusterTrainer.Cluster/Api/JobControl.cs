using Akka.Actor;
using Akka.Hosting;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cluster.Coordination;

namespace ClusterTrainer.Cluster.Api;

/// <summary>
/// What both faces of the coordinator (the gRPC job API and the dashboard) do beyond reading the registry: cancel a
/// job, and describe the cluster (members, roles, reachability, busy and idle workers, the queue).
/// </summary>
public sealed class JobControl(ActorSystem system, IRequiredActor<JobManagerActor> jobManager, IRequiredActor<ApiJobListenerActor> listener, DqnJobRunner dqn)
{
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Asks the job's runner to cancel it; the cancellation shows in the job's events.</summary>
    public async Task CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        if (dqn.Cancel(jobId))
        {
            return;
        }

        var manager = await jobManager.GetAsync(cancellationToken).ConfigureAwait(false);
        var events = await listener.GetAsync(cancellationToken).ConfigureAwait(false);
        manager.Tell(new CancelJob(jobId), events);
    }

    /// <exception cref="AskTimeoutException">The job manager did not answer within <see cref="AskTimeout"/>.</exception>
    public async Task<ClusterStatusResponse> StatusAsync(CancellationToken cancellationToken)
    {
        var manager = await jobManager.GetAsync(cancellationToken).ConfigureAwait(false);
        var workers = await manager.Ask<ClusterWorkers>(GetClusterWorkers.Instance, AskTimeout, cancellationToken).ConfigureAwait(false);
        var state = Akka.Cluster.Cluster.Get(system).State;
        var response = new ClusterStatusResponse
        {
            BusyWorkers = workers.BusyNodes.Count,
            IdleWorkers = workers.Nodes.Count - workers.BusyNodes.Count,
            QueuedJobs = workers.Queue.Count,
            RunningJob = workers.RunningJobs.Count > 0 ? workers.RunningJobs[0] : string.Empty,
        };
        response.RunningJobs.AddRange(workers.RunningJobs);
        foreach (var member in state.Members)
        {
            var address = member.Address.ToString();
            var entry = new Member
            {
                Address = address,
                Status = member.Status.ToString(),
                Reachable = !state.Unreachable.Contains(member),
                Busy = workers.BusyNodes.Contains(address),
                Job = NodeJob(workers, address),
            };
            entry.Roles.AddRange(member.Roles);
            response.Members.Add(entry);
        }

        return response;
    }

    /// <summary>The queue as the job manager sees it now, to number the queued jobs in a listing.</summary>
    /// <exception cref="AskTimeoutException">The job manager did not answer within <see cref="AskTimeout"/>.</exception>
    public async Task<ClusterWorkers> WorkersAsync(CancellationToken cancellationToken)
    {
        var manager = await jobManager.GetAsync(cancellationToken).ConfigureAwait(false);
        return await manager.Ask<ClusterWorkers>(GetClusterWorkers.Instance, AskTimeout, cancellationToken).ConfigureAwait(false);
    }

    private static string NodeJob(ClusterWorkers workers, string address)
    {
        var index = workers.Nodes.ToList().IndexOf(address);
        return index >= 0 ? workers.NodeJobs[index] : string.Empty;
    }
}
