using ClusterTrainer.Cluster.Rl;
using ClusterTrainer.Core;
using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Environments;

namespace ClusterTrainer.Training.Tests.Dqn;

/// <summary>The pure logic behind collectors on worker nodes: weights in parts, placement, message sizes.</summary>
public class RemoteCollectorLogicTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(WeightsSplitter.MaxFloatsPerPart - 1)]
    [InlineData(WeightsSplitter.MaxFloatsPerPart)]
    [InlineData(WeightsSplitter.MaxFloatsPerPart + 1)]
    [InlineData(67_586)]
    public void Weights_should_split_into_parts_under_the_limit_and_reassemble_in_any_order(int length)
    {
        AssertSplitsAndReassembles(length, new Random(length));
    }

    [Fact]
    public void Weights_of_random_sizes_should_reassemble_exactly_in_any_order()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 40; trial++)
        {
            AssertSplitsAndReassembles(random.Next(0, 250_000), random);
        }
    }

    [Fact]
    public void Stale_versions_and_duplicate_parts_should_be_dropped()
    {
        var assembler = new WeightsAssembler();
        var v1 = Parts(1, 40_000);
        var v2 = Parts(2, 40_000);
        var v3 = Parts(3, 40_000);
        var v4 = Parts(4, 40_000);

        Assert.Null(assembler.Add(v2[0]));
        Assert.Null(assembler.Add(v2[0]));
        Assert.Null(assembler.Add(v2[2]));
        var whole = assembler.Add(v2[1]);
        Assert.NotNull(whole);
        Assert.Equal(2, whole.Version);
        Assert.Equal(2, assembler.CompletedVersion);

        // Version 1 arriving late is older than what the collectors have: every part of it is dropped.
        Assert.All(v1, part => Assert.Null(assembler.Add(part)));
        // A duplicate of a completed version is not handed out twice.
        Assert.Null(assembler.Add(v2[1]));

        // Version 3 is overtaken by version 4 before it is complete: 4 comes out, the rest of 3 never does.
        Assert.Null(assembler.Add(v3[0]));
        Assert.Null(assembler.Add(v4[2]));
        Assert.Null(assembler.Add(v4[0]));
        Assert.Null(assembler.Add(v3[1]));
        Assert.Equal(4, assembler.Add(v4[1])!.Version);
        Assert.Null(assembler.Add(v3[2]));
        Assert.Equal(4, assembler.CompletedVersion);
    }

    [Fact]
    public void A_part_that_contradicts_its_version_should_be_refused()
    {
        var assembler = new WeightsAssembler();
        var parts = Parts(1, 40_000);
        Assert.Null(assembler.Add(parts[0]));
        Assert.Throws<ArgumentException>(() => assembler.Add(parts[1] with { TotalLength = 50_000, Offset = 16_000 }));
        Assert.Throws<ArgumentException>(() => assembler.Add(parts[1] with { Offset = 39_000 }));
        Assert.Throws<ArgumentException>(() => assembler.Add(parts[1] with { Part = 3 }));
    }

    [Fact]
    public void Collectors_should_be_dealt_round_robin_and_nodes_without_one_left_out()
    {
        var placed = CollectorPlacement.Deal(5, ["a", "b"]);
        Assert.Equal(["a", "b"], placed.Select(p => p.Node));
        Assert.Equal([0, 2, 4], placed[0].Collectors);
        Assert.Equal([1, 3], placed[1].Collectors);

        var one = CollectorPlacement.Deal(1, ["a", "b", "c"]);
        Assert.Equal("a", Assert.Single(one).Node);
        Assert.Equal([0], one[0].Collectors);
        Assert.Throws<ArgumentException>(() => CollectorPlacement.Deal(2, Array.Empty<string>()));
    }

    [Theory]
    [InlineData("cartpole")]
    [InlineData("acrobot")]
    [InlineData("mountaincar")]
    public void Every_environments_default_chunks_should_stay_far_under_the_frame(string env)
    {
        var settings = DqnSettings.DefaultsFor(env);
        var observations = EnvironmentCatalog.Get(env).Create().ObservationSize;
        CollectorPlacement.CheckMessageSizes(settings, observations);
        Assert.True(CollectorPlacement.LargestMessageBytes(settings, observations) < CollectorPlacement.MaxMessageBytes / 8);
    }

    [Fact]
    public void Chunks_too_big_to_cross_nodes_should_be_refused_naming_the_setting()
    {
        var settings = DqnSettings.DefaultsFor("acrobot") with { ChunkSteps = 512, EnvsPerCollector = 8 };
        var error = Assert.Throws<SettingsException>(() => CollectorPlacement.CheckMessageSizes(settings, 6));
        Assert.Equal("--chunk-steps", error.Setting);
        Assert.Contains("--envs-per-collector", error.Message, StringComparison.Ordinal);
        Assert.Contains("128,000", error.Message, StringComparison.Ordinal);
    }

    private static void AssertSplitsAndReassembles(int length, Random random)
    {
        var values = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var parts = WeightsSplitter.Split("job", new PolicyWeights(7, 224, values)).ToArray();
        Assert.All(parts, p => Assert.InRange(p.Values.Length, 0, WeightsSplitter.MaxFloatsPerPart));
        Assert.Equal(Math.Max(1, (length + WeightsSplitter.MaxFloatsPerPart - 1) / WeightsSplitter.MaxFloatsPerPart), parts.Length);
        random.Shuffle(parts);

        var assembler = new WeightsAssembler();
        for (var i = 0; i < parts.Length - 1; i++)
        {
            Assert.Null(assembler.Add(parts[i]));
        }

        var whole = assembler.Add(parts[^1]);
        Assert.NotNull(whole);
        Assert.Equal(7, whole.Version);
        Assert.Equal(224, whole.Updates);
        Assert.Equal(values, whole.Values);
    }

    private static IReadOnlyList<PolicyWeightsPart> Parts(long version, int length) =>
        WeightsSplitter.Split("job", new PolicyWeights(version, version * 32, Enumerable.Range(0, length).Select(i => (float)(i + version)).ToArray()));
}
