namespace ClusterTrainer.Cluster.Coordination;

/// <summary>
/// Why a job below --min-workers failed after waiting for replacements: the same words whether it waited in its
/// coordinator (lost while training) or in the job manager (lost between protocols, before a new start).
/// </summary>
internal static class NoReplacement
{
    public static string Message(string loss, int workersLeft, int minWorkers, TimeSpan waited) =>
        $"{loss}, leaving {workersLeft} workers, below --min-workers {minWorkers}, and no worker node joined within {waited.TotalSeconds:0} s: " +
        "start worker nodes (they join on their own), or lower --min-workers; the newest checkpoint is where --resume continues";
}
