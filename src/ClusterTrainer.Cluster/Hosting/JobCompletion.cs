using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Cluster.Hosting;

/// <summary>Waiting for a job's end from outside the actor system, with a cancellation that cannot hang.</summary>
internal static class JobCompletion
{
    /// <summary>How long a cancelled job gets to confirm that it stopped (and released its workers).</summary>
    public static readonly TimeSpan CancelConfirmation = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The job's summary; on cancellation an <see cref="OperationCanceledException"/> once the job confirmed its
    /// cancellation or <see cref="CancelConfirmation"/> passed, whichever is first. A failure reported after the
    /// cancel (workers stopped by the same Ctrl-C fail the job) still counts as the cancel the user asked for.
    /// </summary>
    public static async Task<RunSummary> AwaitAsync(Task<RunSummary> completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completion);
        try
        {
            return await completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAny(completion, Task.Delay(CancelConfirmation, CancellationToken.None)).ConfigureAwait(false);
            if (completion.IsCompletedSuccessfully)
            {
                return completion.Result;
            }

            throw new OperationCanceledException("the job was cancelled", cancellationToken);
        }
        catch (TrainingFailedException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the job was cancelled", cancellationToken);
        }
    }
}
