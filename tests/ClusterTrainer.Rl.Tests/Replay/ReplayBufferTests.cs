using ClusterTrainer.Rl.Replay;

namespace ClusterTrainer.Rl.Tests.Replay;

public class ReplayBufferTests
{
    [Fact]
    public void ReplayBuffer_after_ten_times_capacity_holds_capacity_transitions_and_only_the_newest()
    {
        var buffer = new ReplayBuffer(capacity: 8, observationSize: 2);
        for (var i = 0; i < 80; i++)
        {
            buffer.Add([i, -i], action: i % 3, reward: i, nextObservation: [i + 1, -i - 1], terminated: i % 2 == 0);
        }

        Assert.Equal(8, buffer.Count);
        Assert.Equal(8, buffer.Capacity);
        Assert.Equal(80, buffer.TotalAdded);

        var batch = new ReplayBatch(size: 256, observationSize: 2);
        buffer.SampleUniform(new Random(1), batch);
        var seen = new HashSet<float>();
        for (var row = 0; row < batch.Size; row++)
        {
            var i = batch.Rewards[row];
            seen.Add(i);
            // Every field of a row comes from the same transition.
            Assert.Equal(i, batch.Observations[row * 2]);
            Assert.Equal(-i, batch.Observations[(row * 2) + 1]);
            Assert.Equal(i + 1, batch.NextObservations[row * 2]);
            Assert.Equal((int)i % 3, batch.Actions[row]);
            Assert.Equal((int)i % 2 == 0, batch.Terminated[row]);
            Assert.Equal((long)i, batch.Ids[row]);
            Assert.Equal(1f, batch.Weights[row]);
        }

        Assert.Equal(Enumerable.Range(72, 8).Select(i => (float)i).ToHashSet(), seen);
    }

    [Fact]
    public void ReplayBuffer_adds_a_chunk_as_consecutive_transitions()
    {
        var buffer = new ReplayBuffer(capacity: 10, observationSize: 2);

        buffer.AddRange(
            observations: [1, 2, 3, 4, 5, 6],
            actions: [0, 1, 2],
            rewards: [0.5f, 1.5f, 2.5f],
            nextObservations: [10, 20, 30, 40, 50, 60],
            terminated: [false, true, false]);

        Assert.Equal(3, buffer.Count);
        var batch = new ReplayBatch(size: 64, observationSize: 2);
        buffer.SampleUniform(new Random(2), batch);
        for (var row = 0; row < batch.Size; row++)
        {
            var id = (int)batch.Ids[row];
            Assert.Equal(id, batch.Actions[row]);
            Assert.Equal(id + 0.5f, batch.Rewards[row]);
            Assert.Equal((2 * id) + 1, batch.Observations[row * 2]);
            Assert.Equal(10 * ((2 * id) + 2), batch.NextObservations[(row * 2) + 1]);
            Assert.Equal(id == 1, batch.Terminated[row]);
        }
    }

    [Fact]
    public void ReplayBuffer_rejects_a_chunk_with_mismatched_lengths()
    {
        var buffer = new ReplayBuffer(capacity: 10, observationSize: 2);

        Assert.Throws<ArgumentException>(() =>
            buffer.AddRange([1, 2, 3, 4], [0, 1], [0f, 0f], [1, 2, 3], [false, false]));
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void ReplayBuffer_uniform_sampling_reaches_every_stored_transition_about_equally()
    {
        var buffer = new ReplayBuffer(capacity: 50, observationSize: 1);
        for (var i = 0; i < 50; i++)
        {
            buffer.Add([i], 0, i, [i], false);
        }

        var counts = new int[50];
        var batch = new ReplayBatch(size: 100, observationSize: 1);
        var random = new Random(3);
        for (var draw = 0; draw < 50; draw++)
        {
            buffer.SampleUniform(random, batch);
            foreach (var id in batch.Ids)
            {
                counts[id]++;
            }
        }

        // 5000 draws over 50 slots: 100 expected each, and a standard deviation of about 10.
        Assert.All(counts, count => Assert.InRange(count, 60, 140));
    }

    [Fact]
    public void ReplayBuffer_does_not_allocate_when_adding_after_construction()
    {
        var buffer = new ReplayBuffer(capacity: 1000, observationSize: 4, new PrioritizationOptions());
        float[] observation = [1, 2, 3, 4];
        for (var i = 0; i < 100; i++)
        {
            buffer.Add(observation, 1, 1f, observation, false);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            buffer.Add(observation, 1, 1f, observation, false);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.Equal(1000, buffer.Count);
    }

    [Fact]
    public void ReplayBuffer_refuses_to_sample_when_empty()
    {
        var buffer = new ReplayBuffer(capacity: 4, observationSize: 1);

        Assert.Throws<InvalidOperationException>(() => buffer.SampleUniform(new Random(0), new ReplayBatch(2, 1)));
    }
}
