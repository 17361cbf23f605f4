namespace ClusterTrainer.Core.Scheduling;

/// <summary>
/// Gang scheduling of jobs on disjoint workers: first come, first served, with conservative backfill (EASY
/// backfilling without estimates for the waiting jobs).
/// <para>
/// The head is the oldest waiting job that the registered workers could ever satisfy. Jobs start in arrival order
/// while they fit. When the head does not fit, its "shadow time" is the earliest moment enough workers are free,
/// from the running jobs' estimated remaining times; the workers free at that moment beyond what the head needs
/// are "extra". A later job may start now only on extra workers: however long it then runs, the head still finds
/// enough free workers at its shadow time, so backfill never delays it. A waiting job's own run time is never
/// guessed: the estimates used are of jobs already running, measured from their progress. While any running job
/// has no estimate yet, nothing is backfilled.
/// </para>
/// <para>
/// Estimates can be wrong, so backfill is bounded as well: once <see cref="MaxBypass"/> jobs have started ahead of
/// the head, nothing more starts ahead of it until it has started (no starvation).
/// </para>
/// <para>
/// A job that asks for more workers than are registered does not block the queue (it could not start anyway);
/// it is reported as unsatisfiable, and becomes the head again once enough workers register.
/// </para>
/// </summary>
public static class SchedulingPolicy
{
    /// <summary>How many jobs may start ahead of one blocked head job before backfill stops for it.</summary>
    public const int MaxBypass = 8;

    public static SchedulingDecision Decide(SchedulingState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var registered = new HashSet<string>(state.RegisteredWorkers, StringComparer.Ordinal);
        var held = new HashSet<string>(state.Running.SelectMany(r => r.Workers), StringComparer.Ordinal);
        var free = new Queue<string>(state.RegisteredWorkers.Where(w => !held.Contains(w)));
        var unsatisfiable = state.Queue.Where(j => j.Workers > registered.Count).Select(j => j.JobId).ToArray();
        var waiting = state.Queue.Where(j => j.Workers <= registered.Count).ToArray();
        var starts = new List<JobStart>();

        var next = 0;
        while (next < waiting.Length && waiting[next].Workers <= free.Count)
        {
            starts.Add(Start(waiting[next++], free, backfilled: false));
        }

        if (next == waiting.Length)
        {
            return new SchedulingDecision(starts, unsatisfiable, null);
        }

        var head = waiting[next];

        // A job without an estimate (one that has not reported progress yet, or one started just now) might end at
        // any moment and make room for the head earlier than the estimates say, so nothing is backfilled until
        // every running job has an estimate.
        if (starts.Count > 0 || state.Running.Any(r => r.Remaining is null))
        {
            return new SchedulingDecision(starts, unsatisfiable, head.JobId);
        }

        var extra = ExtraAtShadowTime(head, free.Count, state.Running, registered);
        var bypassed = head.Bypassed;
        for (var i = next + 1; i < waiting.Length && bypassed < MaxBypass && extra > 0; i++)
        {
            var candidate = waiting[i];
            if (candidate.Workers <= free.Count && candidate.Workers <= extra)
            {
                starts.Add(Start(candidate, free, backfilled: true));
                extra -= candidate.Workers;
                bypassed++;
            }
        }

        return new SchedulingDecision(starts, unsatisfiable, head.JobId);
    }

    /// <summary>
    /// The head's shadow time: the earliest estimated moment at which enough workers are free for it, given the
    /// running jobs' remaining times. Null when the running jobs with estimates cannot free enough.
    /// </summary>
    public static TimeSpan? ShadowTime(WaitingJob head, int freeNow, IReadOnlyList<AllocatedJob> running, IReadOnlySet<string> registered)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(registered);
        if (head.Workers <= freeNow)
        {
            return TimeSpan.Zero;
        }

        var available = freeNow;
        foreach (var job in running.Where(r => r.Remaining is not null).OrderBy(r => r.Remaining))
        {
            available += Released(job, registered);
            if (available >= head.Workers)
            {
                return job.Remaining;
            }
        }

        return null;
    }

    /// <summary>Workers free at the head's shadow time beyond what it needs; zero when there is no shadow time.</summary>
    private static int ExtraAtShadowTime(WaitingJob head, int freeNow, IReadOnlyList<AllocatedJob> running, IReadOnlySet<string> registered)
    {
        if (ShadowTime(head, freeNow, running, registered) is not { } shadow)
        {
            return 0;
        }

        // Every job that ends by the shadow time (ties included) has released its workers at that moment.
        var available = freeNow + running.Where(r => r.Remaining is { } remaining && remaining <= shadow).Sum(r => Released(r, registered));
        return available - head.Workers;
    }

    /// <summary>A worker lost while its job runs is not given back when the job ends.</summary>
    private static int Released(AllocatedJob job, IReadOnlySet<string> registered) => job.Workers.Count(registered.Contains);

    private static JobStart Start(WaitingJob job, Queue<string> free, bool backfilled)
    {
        var workers = new string[job.Workers];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = free.Dequeue();
        }

        return new JobStart(job.JobId, workers, backfilled);
    }
}
