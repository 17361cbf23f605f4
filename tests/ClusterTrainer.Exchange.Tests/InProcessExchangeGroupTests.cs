using ClusterTrainer.Exchange;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ClusterTrainer.Exchange.Tests;

public class InProcessExchangeGroupTests
{
    [Property(MaxTest = 40)]
    public Property Should_leave_the_plain_sum_in_every_members_buffer()
    {
        var cases = from world in Gen.Choose(1, 8)
                    from length in Gen.Choose(0, 1037)
                    from seed in Gen.Choose(0, 10000)
                    select (world, length, seed);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var random = new Random(c.seed);
            var buffers = Enumerable.Range(0, c.world).Select(_ => GradientBuffer.Allocate(c.length)).ToArray();
            foreach (var buffer in buffers)
            {
                for (var i = 0; i < c.length; i++)
                {
                    buffer.Span[i] = (float)((random.NextDouble() * 2) - 1);
                }
            }

            var expected = new double[c.length];
            foreach (var buffer in buffers)
            {
                for (var i = 0; i < c.length; i++)
                {
                    expected[i] += buffer.Span[i];
                }
            }

            using var group = new InProcessExchangeGroup(c.world, TimeSpan.FromSeconds(20));
            var threads = Enumerable.Range(0, c.world)
                .Select(rank => Task.Factory.StartNew(() => group.Members[rank].AllReduceSum(buffers[rank], CancellationToken.None), TaskCreationOptions.LongRunning))
                .ToArray();
            Task.WaitAll(threads, TimeSpan.FromSeconds(30));
            return buffers.All(buffer => Enumerable.Range(0, c.length).All(i => Math.Abs(buffer.Span[i] - expected[i]) <= 1e-5));
        });
    }

    [Fact]
    public void Should_fail_with_a_clear_error_when_a_peer_never_arrives()
    {
        using var group = new InProcessExchangeGroup(2, TimeSpan.FromMilliseconds(200));
        var error = Assert.Throws<ExchangeFailedException>(() => group.Members[0].AllReduceSum(GradientBuffer.Allocate(4), CancellationToken.None));
        Assert.Contains("waited", error.Message, StringComparison.Ordinal);
        Assert.Contains("worker 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_release_a_waiting_member_when_the_group_is_aborted()
    {
        using var group = new InProcessExchangeGroup(3, TimeSpan.FromMinutes(5));
        using var waiting = new ManualResetEventSlim();
        var member = Task.Factory.StartNew(
            () =>
            {
                waiting.Set();
                group.Members[1].AllReduceSum(GradientBuffer.Allocate(8), CancellationToken.None);
            },
            TaskCreationOptions.LongRunning);
        waiting.Wait(TimeSpan.FromSeconds(10));
        group.Abort("worker 2 died");
        var error = await Assert.ThrowsAsync<ExchangeFailedException>(() => member.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("worker 2 died", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_reject_buffers_of_different_lengths()
    {
        using var group = new InProcessExchangeGroup(2, TimeSpan.FromSeconds(10));
        var a = Task.Factory.StartNew(() => group.Members[0].AllReduceSum(GradientBuffer.Allocate(4), CancellationToken.None), TaskCreationOptions.LongRunning);
        var b = Task.Factory.StartNew(() => group.Members[1].AllReduceSum(GradientBuffer.Allocate(5), CancellationToken.None), TaskCreationOptions.LongRunning);
        var error = Assert.Throws<AggregateException>(() => Task.WaitAll([a, b], TimeSpan.FromSeconds(20)));
        Assert.Contains(error.InnerExceptions, e => e is ExchangeFailedException && e.Message.Contains("gradient values", StringComparison.Ordinal));
    }

    [Property(MaxTest = 30)]
    public Property Should_leave_the_exact_int64_sum_in_every_members_array()
    {
        var cases = from world in Gen.Choose(1, 8)
                    from length in Gen.Choose(0, 1037)
                    from seed in Gen.Choose(0, 10000)
                    select (world, length, seed);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var random = new Random(c.seed);
            var values = Enumerable.Range(0, c.world)
                .Select(_ => Enumerable.Range(0, c.length).Select(_ => random.NextInt64(-(1L << 59), 1L << 59)).ToArray())
                .ToArray();
            var expected = Enumerable.Range(0, c.length).Select(i => values.Sum(v => v[i])).ToArray();

            using var group = new InProcessExchangeGroup(c.world, TimeSpan.FromSeconds(20));
            var threads = Enumerable.Range(0, c.world)
                .Select(rank => Task.Factory.StartNew(() => group.Members[rank].AllReduceSum(values[rank], CancellationToken.None), TaskCreationOptions.LongRunning))
                .ToArray();
            Task.WaitAll(threads, TimeSpan.FromSeconds(30));
            return values.All(v => v.SequenceEqual(expected));
        });
    }

    [Fact]
    public void Should_refuse_by_name_members_that_sum_different_kinds_of_values()
    {
        using var group = new InProcessExchangeGroup(2, TimeSpan.FromSeconds(10));
        var a = Task.Factory.StartNew(() => group.Members[0].AllReduceSum(GradientBuffer.Allocate(4), CancellationToken.None), TaskCreationOptions.LongRunning);
        var b = Task.Factory.StartNew(() => group.Members[1].AllReduceSum(new long[4], CancellationToken.None), TaskCreationOptions.LongRunning);
        var error = Assert.Throws<AggregateException>(() => Task.WaitAll([a, b], TimeSpan.FromSeconds(20)));
        Assert.Contains(error.InnerExceptions, e => e is ExchangeFailedException && e.Message.Contains("--deterministic", StringComparison.Ordinal));
    }
}
