using Akka.Actor;
using ClusterTrainer.Cluster.Rl;
using ClusterTrainer.Rl.Dqn;
using Serilog;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>
/// Runs a DQN job on actors of this ActorSystem: all of them in this process by default, or, with
/// <see cref="DqnPlacement.WorkerNodes"/> on a cluster node, the collectors on the cluster's worker nodes.
/// </summary>
public static class LocalDqnCluster
{
    /// <summary>Without any step, update or evaluation for this long, the run is declared stuck.</summary>
    public static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(120);

    /// <param name="tensorBoardDirectory">Where the run's TensorBoard event file goes (its run directory); null for none.</param>
    /// <param name="reservedNodes">With <see cref="DqnPlacement.WorkerNodes"/>: the only worker nodes (addresses) to place collectors on, as the scheduler reserved them; null for every worker node.</param>
    public static async Task<DqnRunResult> RunAsync(
        ActorSystem system,
        DqnSettings settings,
        ILogger log,
        Action<object>? onEvent = null,
        string? name = null,
        DqnPlacement placement = DqnPlacement.InProcess,
        string? tensorBoardDirectory = null,
        IReadOnlyList<string>? reservedNodes = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        var id = name ?? $"dqn-{Guid.NewGuid():N}";
        var completion = new TaskCompletionSource<DqnRunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var events = tensorBoardDirectory is null ? null : new DqnEventLog(tensorBoardDirectory);
        var listener = system.ActorOf(DqnListenerActor.Props(completion, e =>
        {
            events?.Observe(e);
            onEvent?.Invoke(e);
        }), $"{id}-listener");
        var coordinator = system.ActorOf(DqnCoordinatorActor.Props(settings, listener, log.ForContext("JobId", id), StallTimeout, id, placement, reservedNodes), id);
        try
        {
            await using var cancel = cancellationToken.Register(() => coordinator.Tell(CancelDqnRun.Instance));
            var result = await completion.Task.ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            events?.Completed(result);
            return result;
        }
        catch (TrainingFailedException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        finally
        {
            await coordinator.GracefulStop(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            await listener.GracefulStop(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
    }
}
