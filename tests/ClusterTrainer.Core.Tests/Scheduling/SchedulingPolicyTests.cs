using ClusterTrainer.Core.Scheduling;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClusterTrainer.Core.Tests.Scheduling;

public class SchedulingPolicyTests
{
    private static readonly string[] FourWorkers = ["w0", "w1", "w2", "w3"];

    /// <summary>Random clusters of 1-6 workers and 1-12 jobs of random sizes (some too big for the cluster), arrivals and run times.</summary>
    private static Arbitrary<(int Workers, SimulatedJob[] Jobs)> Workloads(bool sameSize = false) =>
        (from workers in Gen.Choose(1, 6)
         from count in Gen.Choose(1, 12)
         from size in Gen.Choose(1, workers)
         from jobs in Gen.ArrayOf(
             from need in sameSize ? Gen.Constant(size) : Gen.Frequency((9, Gen.Choose(1, workers)), (1, Gen.Constant(workers + 1)))
             from arrival in Gen.Choose(0, 15)
             from duration in Gen.Choose(1, 12)
             select new SimulatedJob(need, arrival, duration), count)
         select (workers, jobs)).ToArbitrary();

    [Property(MaxTest = 400)]
    public Property Should_never_give_one_worker_to_two_jobs() =>
        Prop.ForAll(Workloads(), w => SchedulingSimulation.Run(w.Workers, w.Jobs).Violation is null);

    [Property(MaxTest = 400)]
    public Property Should_start_every_job_the_registered_workers_can_satisfy_and_no_other() =>
        Prop.ForAll(Workloads(), w =>
        {
            var simulation = SchedulingSimulation.Run(w.Workers, w.Jobs);
            return Enumerable.Range(0, w.Jobs.Length).All(j => simulation.Starts.ContainsKey(j) == (w.Jobs[j].Workers <= w.Workers));
        });

    [Property(MaxTest = 400)]
    public Property Should_never_start_the_head_job_later_than_plain_fcfs_would_have_when_it_became_the_head() =>
        Prop.ForAll(Workloads(), w =>
        {
            var simulation = SchedulingSimulation.Run(w.Workers, w.Jobs);
            return simulation.Promised.All(p => simulation.Starts[p.Key] <= p.Value)
                .Label($"promised {string.Join(", ", simulation.Promised.Select(p => $"{p.Key}@{p.Value}"))}; started {string.Join(", ", simulation.Starts.Select(s => $"{s.Key}@{s.Value}"))}");
        });

    [Property(MaxTest = 400)]
    public Property Should_bound_how_many_jobs_start_ahead_of_a_waiting_job() =>
        Prop.ForAll(Workloads(), w => SchedulingSimulation.Run(w.Workers, w.Jobs).Bypassed.Values.All(count => count <= SchedulingPolicy.MaxBypass));

    [Property(MaxTest = 300)]
    public Property Should_start_jobs_in_arrival_order_when_none_can_be_backfilled() =>
        Prop.ForAll(Workloads(sameSize: true), w =>
        {
            var simulation = SchedulingSimulation.Run(w.Workers, w.Jobs);
            var arrivalOrder = Enumerable.Range(0, w.Jobs.Length).OrderBy(j => w.Jobs[j].Arrival).ThenBy(j => j).ToArray();
            return simulation.StartOrder.SequenceEqual(arrivalOrder);
        });

    [Fact]
    public void Should_backfill_a_small_job_on_workers_the_head_does_not_need_at_its_shadow_time()
    {
        // 4 workers: a 2-worker job runs 10 more seconds, so a 4-worker head waits 10 s; a 1-worker job behind it
        // could only use a worker the head needs, while with a 3-worker head one worker is spare.
        var running = new[] { new AllocatedJob("long", ["w0", "w1"], TimeSpan.FromSeconds(10)) };
        var headOfFour = SchedulingPolicy.Decide(new SchedulingState(FourWorkers, running, [new WaitingJob("big", 4), new WaitingJob("small", 1)]));
        var headOfThree = SchedulingPolicy.Decide(new SchedulingState(FourWorkers, running, [new WaitingJob("big", 3), new WaitingJob("small", 1)]));

        Assert.Empty(headOfFour.Starts);
        Assert.Equal("big", headOfFour.BlockedHead);
        var backfilled = Assert.Single(headOfThree.Starts);
        Assert.Equal(("small", true), (backfilled.JobId, backfilled.Backfilled));
        Assert.Equal(["w2"], backfilled.Workers);
    }

    [Fact]
    public void Should_not_backfill_while_a_running_job_has_no_estimate_or_once_the_head_was_bypassed_enough()
    {
        var unknown = new[] { new AllocatedJob("new", ["w0", "w1"], null) };
        var bypassedEnough = new[] { new AllocatedJob("long", ["w0", "w1"], TimeSpan.FromSeconds(10)) };

        Assert.Empty(SchedulingPolicy.Decide(new SchedulingState(FourWorkers, unknown, [new WaitingJob("big", 3), new WaitingJob("small", 1)])).Starts);
        Assert.Empty(SchedulingPolicy.Decide(new SchedulingState(FourWorkers, bypassedEnough, [new WaitingJob("big", 3, SchedulingPolicy.MaxBypass), new WaitingJob("small", 1)])).Starts);
    }

    [Fact]
    public void Should_let_jobs_pass_one_that_asks_for_more_workers_than_are_registered_and_report_it()
    {
        var decision = SchedulingPolicy.Decide(new SchedulingState(FourWorkers, [], [new WaitingJob("huge", 5), new WaitingJob("fits", 4)]));

        Assert.Equal(["huge"], decision.Unsatisfiable);
        Assert.Equal("fits", Assert.Single(decision.Starts).JobId);
        Assert.Null(decision.BlockedHead);
    }
}
