using ClusterTrainer.Rl.Replay;

namespace ClusterTrainer.Rl.Tests.Replay;

public class PrioritizedReplayTests
{
    [Fact]
    public void Prioritized_sampling_frequency_is_proportional_to_priority()
    {
        var buffer = Filled(count: 4, new PrioritizationOptions(Alpha: 1, Epsilon: 1e-9));
        // Priorities 1, 2, 3, 4 out of 10.
        Assert.Equal(4, buffer.UpdatePriorities([0, 1, 2, 3], [1f, -2f, 3f, -4f]));

        var frequencies = Frequencies(buffer, draws: 64_000, beta: 0.4, seed: 11);

        Assert.Equal(0.1, frequencies[0], 0.01);
        Assert.Equal(0.2, frequencies[1], 0.01);
        Assert.Equal(0.3, frequencies[2], 0.01);
        Assert.Equal(0.4, frequencies[3], 0.01);
    }

    [Fact]
    public void Prioritized_sampling_raises_priorities_to_alpha()
    {
        var buffer = Filled(count: 2, new PrioritizationOptions(Alpha: 0.5, Epsilon: 1e-9));
        // (1)^0.5 = 1 and (9)^0.5 = 3, so a quarter and three quarters.
        buffer.UpdatePriorities([0, 1], [1f, 9f]);

        var frequencies = Frequencies(buffer, draws: 64_000, beta: 0.4, seed: 12);

        Assert.Equal(0.25, frequencies[0], 0.01);
        Assert.Equal(0.75, frequencies[1], 0.01);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void Prioritized_importance_weights_are_relative_to_the_largest_which_is_1(double beta)
    {
        var buffer = Filled(count: 4, new PrioritizationOptions(Alpha: 1, Epsilon: 1e-9));
        buffer.UpdatePriorities([0, 1, 2, 3], [1f, 2f, 3f, 4f]);
        var batch = new ReplayBatch(size: 64, observationSize: 1);

        buffer.SamplePrioritized(new Random(13), beta, batch);

        // w(i) = (N P(i))^-beta / max_j w(j); the rarest transition (P = 0.1) has the largest, so
        // w(i) = (P(i) / 0.1)^-beta = (i + 1)^-beta. With 64 strata of 1/64 each, all four appear.
        Assert.Equal(4, batch.Ids.Distinct().Count());
        for (var row = 0; row < batch.Size; row++)
        {
            var expected = Math.Pow(batch.Ids[row] + 1, -beta);
            Assert.Equal(expected, batch.Weights[row], 1e-5);
        }

        Assert.Equal(1f, batch.Weights.Max());
    }

    [Fact]
    public void Prioritized_new_transitions_get_the_highest_priority_seen()
    {
        var buffer = new ReplayBuffer(capacity: 3, observationSize: 1, new PrioritizationOptions(Alpha: 1, Epsilon: 1e-9));
        buffer.Add([0], 0, 0f, [0], false);
        buffer.Add([1], 0, 0f, [1], false);
        buffer.UpdatePriorities([0, 1], [0f, 3f]);

        buffer.Add([2], 0, 0f, [2], false);

        // Priorities are now about 0, 3 and 3 (the new one inherits the maximum).
        var frequencies = Frequencies(buffer, draws: 32_000, beta: 0.4, seed: 14);
        Assert.Equal(0.0, frequencies[0], 0.001);
        Assert.Equal(0.5, frequencies[1], 0.01);
        Assert.Equal(0.5, frequencies[2], 0.01);
    }

    [Fact]
    public void Prioritized_update_skips_transitions_that_were_overwritten()
    {
        var buffer = Filled(count: 2, new PrioritizationOptions());
        buffer.Add([2], 0, 0f, [2], false);
        buffer.Add([3], 0, 0f, [3], false);

        // Ids 0 and 1 were overwritten by 2 and 3, which share their slots.
        Assert.Equal(0, buffer.UpdatePriorities([0, 1], [5f, 5f]));
        Assert.Equal(2, buffer.UpdatePriorities([2, 3], [5f, 5f]));
    }

    [Fact]
    public void Prioritized_update_rejects_non_finite_errors()
    {
        var buffer = Filled(count: 2, new PrioritizationOptions());

        Assert.Throws<ArgumentException>(() => buffer.UpdatePriorities([0], [float.NaN]));
    }

    [Fact]
    public void Prioritized_sampling_needs_a_prioritized_buffer()
    {
        var buffer = Filled(count: 2, prioritization: null);

        Assert.Throws<InvalidOperationException>(() => buffer.SamplePrioritized(new Random(0), 0.4, new ReplayBatch(2, 1)));
    }

    [Fact]
    public void Prioritized_sampling_of_a_partly_filled_buffer_only_returns_stored_transitions()
    {
        var buffer = new ReplayBuffer(capacity: 100, observationSize: 1, new PrioritizationOptions());
        for (var i = 0; i < 3; i++)
        {
            buffer.Add([i], 0, i, [i], false);
        }

        var batch = new ReplayBatch(size: 256, observationSize: 1);
        buffer.SamplePrioritized(new Random(15), 0.4, batch);

        Assert.All(batch.Ids, id => Assert.InRange(id, 0, 2));
        Assert.Equal(3, batch.Ids.Distinct().Count());
    }

    private static ReplayBuffer Filled(int count, PrioritizationOptions? prioritization)
    {
        var buffer = new ReplayBuffer(capacity: count, observationSize: 1, prioritization);
        for (var i = 0; i < count; i++)
        {
            buffer.Add([i], 0, i, [i], false);
        }

        return buffer;
    }

    private static double[] Frequencies(ReplayBuffer buffer, int draws, double beta, int seed)
    {
        var counts = new double[buffer.Count];
        var batch = new ReplayBatch(size: 32, observationSize: 1);
        var random = new Random(seed);
        for (var drawn = 0; drawn < draws; drawn += batch.Size)
        {
            buffer.SamplePrioritized(random, beta, batch);
            foreach (var id in batch.Ids)
            {
                // Index by age so the result lines up with the order of adding.
                counts[id - (buffer.TotalAdded - buffer.Count)]++;
            }
        }

        return counts.Select(count => count / draws).ToArray();
    }
}
