using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Rl.Tests.Dqn;

public class DoubleDqnTargetsTests
{
    [Fact]
    public void DoubleDqn_target_values_the_online_argmax_with_the_target_net()
    {
        // The online net prefers action 1; the target net rates action 1 at 3 although its own best is 10.
        float[] onlineNextQ = [1f, 5f, 2f];
        float[] targetNextQ = [10f, 3f, 7f];
        var targets = new float[1];

        DoubleDqnTargets.Compute([0.5f], [false], gamma: 0.9, onlineNextQ, targetNextQ, targets);

        Assert.Equal(0.5f + (0.9f * 3f), targets[0], 1e-6f);
    }

    [Fact]
    public void DoubleDqn_target_of_a_terminal_transition_is_the_reward_alone()
    {
        var targets = new float[1];

        DoubleDqnTargets.Compute([-1f], [true], gamma: 0.99, [4f, 8f], [6f, 2f], targets);

        Assert.Equal(-1f, targets[0]);
    }

    [Fact]
    public void DoubleDqn_handles_a_mixed_batch_row_by_row()
    {
        // Row 0: ordinary. Row 1: terminated. Row 2: cut by the time limit, which is stored as not
        // terminated and so still bootstraps.
        float[] rewards = [1f, 1f, 1f];
        bool[] terminated = [false, true, false];
        float[] onlineNextQ =
        [
            0f, 2f,
            9f, 1f,
            3f, 4f,
        ];
        float[] targetNextQ =
        [
            5f, 6f,
            7f, 8f,
            20f, 10f,
        ];
        var targets = new float[3];

        DoubleDqnTargets.Compute(rewards, terminated, gamma: 0.5, onlineNextQ, targetNextQ, targets);

        // Row 0: argmax online = 1, target Q = 6 -> 1 + 0.5 * 6 = 4.
        // Row 1: terminal -> 1.
        // Row 2: argmax online = 1, target Q = 10 (not the target's own max 20) -> 1 + 0.5 * 10 = 6.
        Assert.Equal([4f, 1f, 6f], targets);
    }

    [Fact]
    public void DoubleDqn_rejects_q_tables_that_do_not_match_the_batch()
    {
        var targets = new float[2];

        Assert.Throws<ArgumentException>(() =>
            DoubleDqnTargets.Compute([0f, 0f], [false, false], 0.9, [1f, 2f, 3f], [1f, 2f, 3f], targets));
    }
}
