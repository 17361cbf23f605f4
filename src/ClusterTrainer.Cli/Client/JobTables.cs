using System.Globalization;
using ClusterTrainer.Api.V1;
using Spectre.Console;

namespace ClusterTrainer.Cli.Client;

/// <summary>
/// The tables of the job API commands. Ids and addresses never wrap (a person copies them into the next
/// command), so the free-text columns give way on a narrow terminal; a value that does not exist yet is "-".
/// </summary>
public static class JobTables
{
    public const string Missing = "-";

    public static Table Jobs(IEnumerable<JobInfo> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var table = new Table()
            .AddColumn(new TableColumn("job").NoWrap())
            .AddColumn("name")
            .AddColumn(new TableColumn("state").NoWrap())
            .AddColumn(new TableColumn("model").NoWrap())
            .AddColumn(new TableColumn("epoch").NoWrap())
            .AddColumn(new TableColumn("test accuracy").NoWrap())
            .AddColumn("error");
        foreach (var job in jobs)
        {
            table.AddRow(Markup.Escape(job.JobId), Markup.Escape(job.Name), State(job), Markup.Escape(job.Model), Epoch(job), Accuracy(job), Markup.Escape(job.Error));
        }

        return table;
    }

    /// <summary>The sweep's jobs ranked by test accuracy, best first; jobs without one (failed, cancelled) last, in sweep order.</summary>
    public static Table SweepResults(IEnumerable<(JobInfo Job, string Point)> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var ranked = results.Select((r, order) => (r.Job, r.Point, order))
            .OrderByDescending(r => r.Job.HasTestAccuracy)
            .ThenByDescending(r => r.Job.HasTestAccuracy ? r.Job.TestAccuracy : 0)
            .ThenBy(r => r.order)
            .ToArray();
        var table = new Table()
            .AddColumn(new TableColumn("rank").NoWrap())
            .AddColumn(new TableColumn("job").NoWrap())
            .AddColumn("point")
            .AddColumn(new TableColumn("state").NoWrap())
            .AddColumn(new TableColumn("test accuracy").NoWrap())
            .AddColumn("error");
        for (var i = 0; i < ranked.Length; i++)
        {
            var (job, point, _) = ranked[i];
            table.AddRow(job.HasTestAccuracy ? (i + 1).ToString(CultureInfo.InvariantCulture) : Missing, Markup.Escape(job.JobId), Markup.Escape(point), job.State.ToString(), Accuracy(job), Markup.Escape(job.Error));
        }

        return table;
    }

    /// <summary>A halving sweep's points in <see cref="HalvingResult.Rank"/>'s order.</summary>
    public static Table HalvingResults(IEnumerable<HalvingResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var ranked = HalvingResult.Rank(results);
        var table = new Table()
            .AddColumn(new TableColumn("rank").NoWrap())
            .AddColumn(new TableColumn("job").NoWrap())
            .AddColumn("point")
            .AddColumn(new TableColumn("epochs").NoWrap())
            .AddColumn(new TableColumn("state").NoWrap())
            .AddColumn(new TableColumn("test accuracy").NoWrap())
            .AddColumn("error");
        for (var i = 0; i < ranked.Count; i++)
        {
            var r = ranked[i];
            var state = r.Job.State == JobState.Cancelled && r.Accuracy is not null ? "Stopped" : r.Job.State.ToString();
            table.AddRow(r.Accuracy is null ? Missing : (i + 1).ToString(CultureInfo.InvariantCulture), Markup.Escape(r.Job.JobId), Markup.Escape(r.Point.Name),
                string.Create(CultureInfo.InvariantCulture, $"{r.Epochs}/{r.Job.Epochs}"), state,
                r.Accuracy is { } accuracy ? accuracy.ToString("P2", CultureInfo.InvariantCulture) : Missing, Markup.Escape(r.Job.Error));
        }

        return table;
    }

    /// <summary>What the halving sweep trained, against the full grid (every point trained to its full epochs).</summary>
    public static string HalvingCost(IReadOnlyCollection<HalvingResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var done = results.Sum(r => r.SamplesDone);
        var full = results.Sum(r => r.SamplesTotal);
        return string.Create(CultureInfo.InvariantCulture,
            $"halving trained {done:N0} samples, {(full == 0 ? 0 : (double)done / full):0.00} x the {full:N0} of the full grid");
    }

    public static Table Members(ClusterStatusResponse status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var table = new Table()
            .AddColumn(new TableColumn("member").NoWrap())
            .AddColumn("roles")
            .AddColumn(new TableColumn("status").NoWrap())
            .AddColumn(new TableColumn("reachable").NoWrap())
            .AddColumn(new TableColumn("busy").NoWrap());
        foreach (var member in status.Members)
        {
            table.AddRow(Markup.Escape(member.Address), Markup.Escape(string.Join(", ", member.Roles)), Markup.Escape(member.Status), member.Reachable ? "yes" : "[red]no[/]", member.Busy ? "yes" : "no");
        }

        return table;
    }

    /// <summary>
    /// Which job each busy worker node runs, one line each: below the members table rather than in it, because an
    /// address and a job id side by side do not fit a terminal, and neither may be cut.
    /// </summary>
    public static IEnumerable<string> WorkerJobs(ClusterStatusResponse status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.Members.Where(m => m.Job.Length > 0).Select(m => $"{m.Address} runs {m.Job}");
    }

    /// <summary>The state, with the place in the queue of a waiting job: "Queued #1" starts next.</summary>
    public static string State(JobInfo job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.State == JobState.Queued && job.QueuePosition > 0 ? string.Create(CultureInfo.InvariantCulture, $"Queued #{job.QueuePosition}") : job.State.ToString();
    }

    /// <summary>The epoch being trained of how many; "-" while queued, and for DQN jobs, which have no epochs.</summary>
    public static string Epoch(JobInfo job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.State == JobState.Queued || job.Epoch == 0 || job.Epochs == 0 ? Missing : $"{job.Epoch}/{job.Epochs}";
    }

    /// <summary>The test accuracy of the last finished epoch; "-" until one has finished (0.00 % would be a result).</summary>
    public static string Accuracy(JobInfo job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.HasTestAccuracy ? job.TestAccuracy.ToString("P2", CultureInfo.InvariantCulture) : Missing;
    }
}
