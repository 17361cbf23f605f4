using ClusterTrainer.Core;
using ClusterTrainer.Exchange.Compact;
using ClusterTrainer.Exchange.Providers;
using ClusterTrainer.Exchange.Tcp;
using ClusterTrainer.Exchange.Tests.Tcp;

namespace ClusterTrainer.Exchange.Tests.Providers;

/// <summary>
/// `--all-reduce hierarchical` over real sockets on 127.0.0.1, through the provider a worker node uses: every rank ends
/// with the same bits, the plain sum within float rounding (int64 exactly), call after call.
/// </summary>
public sealed class HierarchicalExchangeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(4, 1000)]
    [InlineData(6, 5)]
    [InlineData(9, 40_000)]
    public void Every_rank_should_hold_the_same_sum_after_each_call(int world, int length)
    {
        var exchanges = Connect(world, AllReduceKind.Hierarchical);
        try
        {
            Assert.All(exchanges, e => Assert.IsType<TwoLevelExchange>(e));
            var random = new Random(world * 31);
            for (var call = 0; call < 3; call++)
            {
                var values = Enumerable.Range(0, world).Select(_ => Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()).ToArray();
                var buffers = values.Select(v =>
                {
                    var buffer = GradientBuffer.Allocate(length);
                    v.CopyTo(buffer.Span);
                    return buffer;
                }).ToArray();
                OnEveryRank(exchanges.Length, rank => exchanges[rank].AllReduceSum(buffers[rank], CancellationToken.None));

                var first = buffers[0].Span.ToArray();
                Assert.All(buffers, buffer => Assert.Equal(first, buffer.Span.ToArray()));
                for (var i = 0; i < length; i++)
                {
                    var expected = values.Sum(v => (double)v[i]);
                    Assert.True(Math.Abs(first[i] - expected) < 1e-4, $"element {i}: {first[i]} against {expected}");
                }
            }
        }
        finally
        {
            Release(exchanges);
        }
    }

    [Fact]
    public void Int64_values_should_sum_exactly_and_bf16_close_to_the_sum()
    {
        const int World = 6;
        var exchanges = Connect(World, AllReduceKind.Hierarchical);
        try
        {
            var longs = Enumerable.Range(0, World).Select(rank => Enumerable.Range(0, 777).Select(i => ((long)rank << 40) + (i * 1_000_003L) - 5).ToArray()).ToArray();
            var expected = Enumerable.Range(0, 777).Select(i => longs.Sum(v => v[i])).ToArray();
            OnEveryRank(exchanges.Length, rank => exchanges[rank].AllReduceSum(longs[rank], CancellationToken.None));
            Assert.All(longs, values => Assert.Equal(expected, values));

            var bf16 = Enumerable.Range(0, World).Select(rank =>
            {
                var vector = new Bf16Vector(300);
                vector.Encode(Enumerable.Range(0, 300).Select(i => (float)(rank + i) / 64).ToArray());
                return vector;
            }).ToArray();
            OnEveryRank(exchanges.Length, rank => exchanges[rank].AllReduceSum(bf16[rank], CancellationToken.None));
            Assert.All(bf16, vector => Assert.Equal(bf16[0].Values, vector.Values));
            for (var i = 0; i < 300; i++)
            {
                var sum = Enumerable.Range(0, World).Sum(rank => (float)(rank + i) / 64);
                Assert.True(Math.Abs(Bf16Vector.ToFloat(bf16[0].Values[i]) - sum) <= sum * 0.02f, $"element {i}");
            }
        }
        finally
        {
            Release(exchanges);
        }
    }

    [Fact]
    public void A_world_without_a_grid_should_run_one_ring()
    {
        var exchanges = Connect(5, AllReduceKind.Hierarchical);
        try
        {
            Assert.All(exchanges, e => Assert.IsType<TcpRingExchange>(e));
        }
        finally
        {
            Release(exchanges);
        }
    }

    [Fact]
    public void A_hierarchical_endpoint_should_carry_two_ports_and_a_ring_one()
    {
        var provider = new TcpRingExchangeProvider("127.0.0.1", "127.0.0.1");
        var twoPorts = provider.Prepare("job-a", 0, 4, AllReduceKind.Hierarchical);
        var onePort = provider.Prepare("job-b", 0, 4);
        provider.Release("job-a", 0, "test over");
        provider.Release("job-b", 0, "test over");

        Assert.Matches(@"^127\.0\.0\.1:\d+\+\d+$", twoPorts);
        Assert.Matches(@"^127\.0\.0\.1:\d+$", onePort);
    }

    private static IGradientExchange[] Connect(int world, AllReduceKind kind)
    {
        var providers = Enumerable.Range(0, world).Select(_ => new TcpRingExchangeProvider("127.0.0.1", "127.0.0.1")).ToArray();
        var endpoints = providers.Select((p, rank) => p.Prepare("job", rank, world, kind)).ToArray();
        var exchanges = new IGradientExchange[world];
        OnEveryRank(exchanges.Length, rank => exchanges[rank] = providers[rank].Connect("job", rank, endpoints, Timeout));
        return exchanges;
    }

    private static void OnEveryRank(int ranks, Action<int> work)
    {
        var tasks = Enumerable.Range(0, ranks).Select(rank => RingRun.StartRank(() => work(rank))).ToArray();
        if (!Task.WaitAll(tasks, RingRun.Bound))
        {
            throw new TimeoutException($"the ranks did not finish within {RingRun.Bound}");
        }
    }

    private static void Release(IEnumerable<IGradientExchange> exchanges)
    {
        foreach (var exchange in exchanges)
        {
            (exchange as IDisposable)?.Dispose();
        }
    }
}
