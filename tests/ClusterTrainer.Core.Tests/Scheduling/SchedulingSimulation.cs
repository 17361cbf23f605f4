using ClusterTrainer.Core.Scheduling;

namespace ClusterTrainer.Core.Tests.Scheduling;

/// <summary>A job of a simulated workload: how many workers it needs, when it arrives, how long it runs.</summary>
public sealed record SimulatedJob(int Workers, int Arrival, int Duration);

/// <summary>
/// Discrete-event simulation of a cluster driven by <see cref="SchedulingPolicy"/>: at every arrival and every end
/// the policy decides with perfect estimates of the running jobs' remaining times. It records when each job started,
/// and checks at every decision that no worker is given to two jobs.
/// </summary>
public sealed class SchedulingSimulation
{
    private readonly string[] _workers;
    private readonly IReadOnlyList<SimulatedJob> _jobs;
    private readonly Dictionary<int, (int Start, string[] Workers)> _running = [];
    private readonly List<int> _queue = [];
    private readonly Dictionary<int, int> _bypassed = [];

    private SchedulingSimulation(int workers, IReadOnlyList<SimulatedJob> jobs)
    {
        _workers = Enumerable.Range(0, workers).Select(w => $"w{w}").ToArray();
        _jobs = jobs;
    }

    /// <summary>When each job started (absent: never).</summary>
    public Dictionary<int, int> Starts { get; } = [];

    /// <summary>Each job's start order (0 first).</summary>
    public List<int> StartOrder { get; } = [];

    /// <summary>
    /// For each job that was ever the blocked head: the earliest time enough workers would be free for it, from the
    /// jobs running when it first became the head (their true end times), as if nothing else started.
    /// </summary>
    public Dictionary<int, int> Promised { get; } = [];

    /// <summary>How many jobs were backfilled ahead of each job.</summary>
    public IReadOnlyDictionary<int, int> Bypassed => _bypassed;

    /// <summary>Set when a decision gave a worker to two jobs, or a worker that was not free.</summary>
    public string? Violation { get; private set; }

    public static SchedulingSimulation Run(int workers, IReadOnlyList<SimulatedJob> jobs)
    {
        var simulation = new SchedulingSimulation(workers, jobs);
        simulation.Run();
        return simulation;
    }

    private void Run()
    {
        var times = new SortedSet<int>(_jobs.Select(j => j.Arrival));
        while (times.Count > 0)
        {
            var now = times.Min;
            times.Remove(now);
            foreach (var ended in _running.Where(r => r.Value.Start + _jobs[r.Key].Duration == now).Select(r => r.Key).ToArray())
            {
                _running.Remove(ended);
            }

            _queue.AddRange(Enumerable.Range(0, _jobs.Count).Where(j => _jobs[j].Arrival == now));
            var decision = SchedulingPolicy.Decide(new SchedulingState(
                _workers,
                _running.Select(r => new AllocatedJob(Id(r.Key), r.Value.Workers, TimeSpan.FromTicks(r.Value.Start + _jobs[r.Key].Duration - now))).ToArray(),
                _queue.Select(j => new WaitingJob(Id(j), _jobs[j].Workers, _bypassed.GetValueOrDefault(j))).ToArray()));

            if (decision.BlockedHead is { } head && !Promised.ContainsKey(Index(head)))
            {
                Promised[Index(head)] = PromiseFor(Index(head), now, decision.Starts.Where(s => !s.Backfilled).ToArray());
            }

            foreach (var start in decision.Starts)
            {
                var job = Index(start.JobId);
                var held = _running.Values.SelectMany(r => r.Workers).ToHashSet();
                if (start.Workers.Count != _jobs[job].Workers || start.Workers.Distinct().Count() != start.Workers.Count || start.Workers.Any(held.Contains) || start.Workers.Any(w => !_workers.Contains(w)))
                {
                    Violation = $"job {job} needs {_jobs[job].Workers} workers and got [{string.Join(",", start.Workers)}] while [{string.Join(",", held)}] were held";
                    return;
                }

                _running[job] = (now, start.Workers.ToArray());
                _queue.Remove(job);
                Starts[job] = now;
                StartOrder.Add(job);
                times.Add(now + _jobs[job].Duration);
                if (start.Backfilled)
                {
                    var blocked = Index(decision.BlockedHead!);
                    _bypassed[blocked] = _bypassed.GetValueOrDefault(blocked) + 1;
                }
            }
        }
    }

    /// <summary>The head's start time under plain FCFS from this moment: when the jobs running (and those FCFS starts now) free enough workers.</summary>
    private int PromiseFor(int head, int now, IReadOnlyList<JobStart> startingNow)
    {
        var ends = _running.Select(r => (End: r.Value.Start + _jobs[r.Key].Duration, Count: r.Value.Workers.Length))
            .Concat(startingNow.Select(s => (End: now + _jobs[Index(s.JobId)].Duration, Count: s.Workers.Count)))
            .OrderBy(e => e.End)
            .ToArray();
        var free = _workers.Length - ends.Sum(e => e.Count);
        foreach (var (end, count) in ends)
        {
            free += count;
            if (free >= _jobs[head].Workers)
            {
                return end;
            }
        }

        return int.MaxValue;
    }

    private static string Id(int job) => $"job-{job}";

    private static int Index(string id) => int.Parse(id.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture);
}
