using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Shards;

namespace ClusterTrainer.Training.Tests;

public class PureClusterLogicTests
{
    [Theory]
    [InlineData(10, 3)]
    [InlineData(7, 7)]
    [InlineData(3, 5)]
    public void Shard_map_should_give_every_sample_exactly_one_owner(int size, int shards)
    {
        var map = new ShardMap(size, shards);
        var owned = Enumerable.Range(0, shards).Sum(s => map.Range(s).Count);
        Assert.Equal(size, owned);
        for (var i = 0; i < size; i++)
        {
            var (start, count) = map.Range(map.OwnerOf(i));
            Assert.InRange(i, start, start + count - 1);
        }
    }

    [Fact]
    public void Shard_map_split_should_keep_every_index_once()
    {
        var map = new ShardMap(100, 4);
        int[] assignment = [99, 0, 26, 25, 51, 74, 75];
        var parts = map.Split(assignment);
        Assert.Equal(assignment.Order(), parts.SelectMany(p => p.Indices).Order());
        Assert.All(parts, p => Assert.All(p.Indices, i => Assert.Equal(p.Shard, map.OwnerOf(i))));
    }

    [Fact]
    public void Ledger_should_complete_a_step_only_when_every_worker_reported()
    {
        var ledger = new StepLedger(firstSequence: 100, stepCount: 3, workers: 2, window: 2);
        Assert.Equal(0, ledger.NextToIssue());
        ledger.MarkIssued(0);
        ledger.MarkIssued(1);
        Assert.Null(ledger.NextToIssue());
        Assert.False(ledger.Report(100, 0, 2.0, 4, null));
        Assert.True(ledger.Report(100, 1, 1.0, 2, null));
        Assert.Equal(2, ledger.NextToIssue());
        Assert.Equal(0.5, ledger.MeanLoss);
        Assert.Throws<InvalidOperationException>(() => ledger.Report(102, 0, 0, 0, null));
    }

    [Fact]
    public void Ledger_should_describe_checksum_drift()
    {
        var ledger = new StepLedger(0, 1, 2, 1);
        ledger.MarkIssued(0);
        ledger.Report(0, 0, 0, 1, "abc");
        ledger.Report(0, 1, 0, 1, "abc");
        Assert.Null(ledger.ChecksumMismatch(0));

        var drifting = new StepLedger(0, 1, 2, 1);
        drifting.MarkIssued(0);
        drifting.Report(0, 0, 0, 1, "abc");
        drifting.Report(0, 1, 0, 1, "abd");
        Assert.Contains("worker 1=abd", drifting.ChecksumMismatch(0), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(10000, 1)]
    [InlineData(10000, 3)]
    [InlineData(1234, 4)]
    public void Evaluation_plan_should_cover_the_test_set_once_in_fixed_chunks(int size, int workers)
    {
        var chunks = Enumerable.Range(0, workers).SelectMany(rank => EvaluationPlan.ChunksFor(size, workers, rank)).OrderBy(c => c.Start).ToArray();
        Assert.Equal(size, chunks.Sum(c => c.Count));
        Assert.Equal(EvaluationPlan.ChunksFor(size, 1, 0), chunks);
    }
}
