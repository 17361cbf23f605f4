using ClusterTrainer.Cluster.Coordination;

namespace ClusterTrainer.Training.Tests.Elastic;

public sealed class RegroupDecisionTests
{
    [Fact]
    public void The_replica_that_completed_the_most_steps_should_be_the_source_and_the_next_step_the_one_after()
    {
        var outcome = RegroupDecision.Decide([(41, "aaaa"), (42, "bbbb"), (41, "aaaa")]);
        Assert.Equal(1, outcome.SourceRank);
        Assert.Equal(43, outcome.NextSequence);
        Assert.Null(outcome.Drift);
    }

    [Fact]
    public void Replicas_that_completed_the_same_step_with_different_bits_should_be_reported_as_drift()
    {
        var outcome = RegroupDecision.Decide([(42, "aaaa"), (42, "bbbb")]);
        Assert.NotNull(outcome.Drift);
        Assert.Contains("worker 0=aaaa, worker 1=bbbb", outcome.Drift, StringComparison.Ordinal);
    }

    [Fact]
    public void Survivors_before_their_first_step_should_start_at_step_0()
    {
        var outcome = RegroupDecision.Decide([(-1, "aaaa"), (-1, "aaaa")]);
        Assert.Equal(0, outcome.SourceRank);
        Assert.Equal(0, outcome.NextSequence);
    }
}
