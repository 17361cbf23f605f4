namespace ClusterTrainer.Core.Scheduling;

/// <summary>A job waiting in the queue, in arrival order; <paramref name="Bypassed"/> counts the jobs backfilled ahead of it while it was the head.</summary>
public sealed record WaitingJob(string JobId, int Workers, int Bypassed = 0);

/// <summary>
/// A running job and the workers it holds. <paramref name="Remaining"/> is the estimate of how long it still runs
/// (from its progress so far); null while there is no estimate yet (a job that has just started).
/// </summary>
public sealed record AllocatedJob(string JobId, IReadOnlyList<string> Workers, TimeSpan? Remaining);

/// <summary>What the scheduler sees: the registered workers (in a stable order), the running jobs, the queue in arrival order.</summary>
public sealed record SchedulingState(IReadOnlyList<string> RegisteredWorkers, IReadOnlyList<AllocatedJob> Running, IReadOnlyList<WaitingJob> Queue);

/// <summary>Start this job now on these workers; <paramref name="Backfilled"/> when it starts ahead of the blocked head job.</summary>
public sealed record JobStart(string JobId, IReadOnlyList<string> Workers, bool Backfilled);

/// <summary>
/// The policy's answer: which jobs start where; which waiting jobs ask for more workers than are registered (they
/// wait, and fail once that has lasted the wait bound); and the head job left blocked (if any), which every
/// backfilled start bypassed.
/// </summary>
public sealed record SchedulingDecision(IReadOnlyList<JobStart> Starts, IReadOnlyList<string> Unsatisfiable, string? BlockedHead);
