using ClusterTrainer.Models.Dqn;
using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Replay;

namespace ClusterTrainer.Training.Tests.Dqn;

public class DqnLearnerTests
{
    private static readonly DqnSettings Small = new() { Hidden = [16], LearningRate = 1e-2, BatchSize = 4, Gamma = 0.9, TargetUpdateInterval = 1000 };

    /// <summary>Four transitions: row 0 was cut by the time limit (stored as not terminated), row 1 ends in a terminal state from the same place.</summary>
    private static ReplayBatch HandMadeBatch()
    {
        var batch = new ReplayBatch(4, 4);
        float[] observations = [0.01f, 0.2f, -0.03f, 0.1f, 0.01f, 0.2f, -0.03f, 0.1f, -0.5f, 1f, 0.1f, -1f, 1f, 0f, 0.2f, 0.3f];
        float[] next = [0.02f, 0.1f, 0.05f, 0.4f, 0.02f, 0.1f, 0.05f, 0.4f, -0.4f, 0.5f, 0.12f, -0.7f, 2f, 1f, -0.2f, 0.6f];
        observations.CopyTo(batch.Observations, 0);
        next.CopyTo(batch.NextObservations, 0);
        int[] actions = [0, 0, 1, 1];
        float[] rewards = [1, 1, -1, 0.5f];
        bool[] terminated = [false, true, false, true];
        actions.CopyTo(batch.Actions, 0);
        rewards.CopyTo(batch.Rewards, 0);
        terminated.CopyTo(batch.Terminated, 0);
        Array.Fill(batch.Weights, 1f);
        return batch;
    }

    [Fact]
    public void Tensor_targets_should_equal_the_reference_double_dqn_arithmetic()
    {
        using var learner = new DqnLearner(4, 2, Small);
        var batch = HandMadeBatch();
        // Train the online network away from the target network, so the two disagree as they do mid-run.
        for (var i = 0; i < 30; i++)
        {
            learner.Update(batch);
        }

        var onlineNext = learner.Online.QValues(batch.NextObservations, 4);
        var targetNext = learner.Target.QValues(batch.NextObservations, 4);
        Assert.NotEqual(onlineNext, targetNext);
        var expected = new float[4];
        DoubleDqnTargets.Compute(batch.Rewards, batch.Terminated, Small.Gamma, onlineNext, targetNext, expected);

        var actual = learner.ComputeTargets(batch);

        for (var row = 0; row < 4; row++)
        {
            Assert.Equal(expected[row], actual[row], 1e-5f);
        }

        // Termination drops the future; the truncated twin of the same transition keeps it.
        Assert.Equal(1f, actual[1]);
        Assert.Equal(0.5f, actual[3]);
        Assert.NotEqual(actual[0], actual[1]);
    }

    [Fact]
    public void Targets_should_use_the_online_networks_choice_valued_by_the_target_network()
    {
        using var learner = new DqnLearner(4, 2, Small);
        var batch = HandMadeBatch();
        for (var i = 0; i < 30; i++)
        {
            learner.Update(batch);
        }

        var onlineNext = learner.Online.QValues(batch.NextObservations, 4);
        var targetNext = learner.Target.QValues(batch.NextObservations, 4);
        var targets = learner.ComputeTargets(batch);

        // Row 2 bootstraps: r + gamma * Qtarget(s', argmax Qonline(s')).
        var chosen = onlineNext[4] >= onlineNext[5] ? 0 : 1;
        Assert.Equal(-1f + (0.9f * targetNext[4 + chosen]), targets[2], 1e-5f);
    }

    [Fact]
    public void Updates_should_fit_a_fixed_batch_and_the_target_should_move_only_on_schedule()
    {
        var settings = Small with { TargetUpdateInterval = 50, Gamma = 0 };
        using var learner = new DqnLearner(4, 2, settings);
        var batch = HandMadeBatch();
        var before = learner.Target.ExportParameters();

        var first = learner.Update(batch);
        for (var i = 0; i < 48; i++)
        {
            learner.Update(batch);
        }

        Assert.Equal(before, learner.Target.ExportParameters());
        var last = learner.Update(batch);
        Assert.Equal(50, learner.Updates);
        Assert.Equal(learner.Online.ExportParameters(), learner.Target.ExportParameters());
        // With gamma 0 the targets are the rewards: a fixed regression the network must fit.
        Assert.True(last < first * 0.1, $"loss went from {first} to {last}");
    }

    [Fact]
    public void Td_errors_should_be_prediction_minus_target()
    {
        using var learner = new DqnLearner(4, 2, Small);
        var batch = HandMadeBatch();
        var q = learner.Online.QValues(batch.Observations, 4);
        var targets = learner.ComputeTargets(batch);
        var errors = new float[4];

        learner.Update(batch, errors);

        for (var row = 0; row < 4; row++)
        {
            Assert.Equal(q[(row * 2) + batch.Actions[row]] - targets[row], errors[row], 1e-5f);
        }
    }
}
