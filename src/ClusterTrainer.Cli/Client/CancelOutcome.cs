using ClusterTrainer.Api.V1;

namespace ClusterTrainer.Cli.Client;

/// <summary>What `cancel` did, from the job's state when the request arrived.</summary>
public static class CancelOutcome
{
    public static string Describe(JobInfo job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.State switch
        {
            JobState.Finished => job.HasTestAccuracy
                ? $"{job.JobId} had already finished (test accuracy {JobTables.Accuracy(job)}); nothing to cancel"
                : $"{job.JobId} had already finished; nothing to cancel",
            JobState.Failed => $"{job.JobId} had already failed; nothing to cancel",
            JobState.Cancelled => $"{job.JobId} had already been cancelled",
            JobState.Queued => $"cancelled {job.JobId} (it was queued and never started)",
            _ => $"cancel requested for {job.JobId} (it was {job.State.ToString().ToLowerInvariant()}); `clustertrainer watch {job.JobId}` shows when it has stopped",
        };
    }
}
