using ClusterTrainer.Exchange.Tcp;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClusterTrainer.Exchange.Tests.Tcp;

public class RingScheduleTests
{
    [Property(MaxTest = 200)]
    public Property Should_forward_each_step_the_segment_it_received_the_step_before()
    {
        var cases = from world in Gen.Choose(2, 16)
                    from rank in Gen.Choose(0, 15)
                    select (world, rank: rank % world);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var schedule = new RingSchedule(c.rank, c.world, 1000);
            return Enumerable.Range(1, schedule.StepCount - 1).All(step => schedule.SendSegment(step) == schedule.ReceiveSegment(step - 1));
        });
    }

    [Property(MaxTest = 200)]
    public Property Should_send_to_the_right_what_the_right_neighbour_expects_from_its_left()
    {
        var cases = from world in Gen.Choose(2, 16)
                    from rank in Gen.Choose(0, 15)
                    select (world, rank: rank % world);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var sender = new RingSchedule(c.rank, c.world, 1000);
            var receiver = new RingSchedule((c.rank + 1) % c.world, c.world, 1000);
            var reduced = sender.ReceiveSegment(c.world - 2);
            return Enumerable.Range(0, sender.StepCount).All(step => sender.SendSegment(step) == receiver.ReceiveSegment(step))
                && reduced == (c.rank + 1) % c.world;
        });
    }

    [Property(MaxTest = 200)]
    public Property The_halves_should_split_the_steps_and_meet_at_the_segment_each_rank_owns()
    {
        var cases = from world in Gen.Choose(2, 16)
                    from rank in Gen.Choose(0, 15)
                    select (world, rank: rank % world);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var reduce = new RingSchedule(c.rank, c.world, 1000) { Phase = RingPhase.ReduceScatter };
            var gather = new RingSchedule(c.rank, c.world, 1000) { Phase = RingPhase.AllGather };
            var whole = new RingSchedule(c.rank, c.world, 1000);
            // The reduce-scatter's last step completes the owned segment; the all-gather's first step sends it on.
            return reduce.FirstStep == 0 && reduce.EndStep == gather.FirstStep && gather.EndStep == whole.StepCount
                && reduce.ReceiveSegment(reduce.EndStep - 1) == reduce.OwnedSegment
                && gather.SendSegment(gather.FirstStep) == gather.OwnedSegment;
        });
    }
}
