using ClusterTrainer.Core.Checkpoints;

namespace ClusterTrainer.Core.Tests.Checkpoints;

public sealed class CheckpointPolicyTests
{
    [Fact]
    public void With_a_step_interval_it_should_checkpoint_after_every_nth_step_of_the_run_only()
    {
        var policy = new CheckpointPolicy(everySteps: 25);
        var due = Enumerable.Range(1, 100).Where(s => policy.DueWithinEpoch(s, TimeSpan.FromHours(1))).ToArray();
        Assert.Equal([25, 50, 75, 100], due);
    }

    [Fact]
    public void By_default_it_should_checkpoint_once_the_interval_of_training_has_passed()
    {
        var policy = new CheckpointPolicy(everySteps: null, TimeSpan.FromMinutes(5));
        Assert.False(policy.DueWithinEpoch(7, TimeSpan.FromMinutes(4.9)));
        Assert.True(policy.DueWithinEpoch(8, TimeSpan.FromMinutes(5)));
    }
}
