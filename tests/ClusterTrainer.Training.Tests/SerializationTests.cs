using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using ClusterTrainer.Cluster.Api.Store;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Nodes;
using ClusterTrainer.Cluster.Rl;
using ClusterTrainer.Cluster.Serialization;
using ClusterTrainer.Cluster.Shards;
using ClusterTrainer.Cluster.Simulation;
using ClusterTrainer.Cluster.Workers;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Data;
using ClusterTrainer.Rl.Dqn;
using ClusterTrainer.Rl.Environments;

namespace ClusterTrainer.Training.Tests;

public sealed class SerializationTests() : TestKit(ConfigurationFactory.ParseString(SerializationConfig.Hocon))
{
    private object RoundTrip(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<ClusterTrainerSerializer>(serializer);
        var manifest = ((Akka.Serialization.SerializerWithStringManifest)serializer).Manifest(message);
        return Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
    }

    public static TheoryData<string> Messages() => new(Samples(ActorRefs.Nobody, ActorRefs.Nobody).Select(s => s.GetType().Name).Distinct());

    private static IEnumerable<object> Samples(IActorRef a, IActorRef b)
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Cnn) with { Data = "/data/x", Limit = 100 };
        yield return new RegisterWorker(1, a);
        yield return new WorkerRefused("no");
        yield return new WorkerRegistered("akka://x/user/y");
        yield return new FetchSamples(7, [1, 2, 3]);
        yield return new FetchRange(8, 10, 20);
        yield return new SamplesServed(9, new SampleBatch([1, 2, 3, 4], null, [5, 6]));
        yield return new SamplesServed(10, new SampleBatch(null, [1.5f, -2f], [1]));
        yield return new SamplesRefused(11, "not mine");
        yield return new PrepareWorker("job", settings, [1, 28, 28], 10, 1, 2, [a, b], 6000, b);
        yield return new WorkerPrepared("job", 1, 421642, "127.0.0.1:4000", 2);
        yield return new ConnectExchange("job", ["127.0.0.1:1", "127.0.0.1:2"]);
        yield return new ExchangeConnected("job", 1);
        yield return new BroadcastInitialParameters("job");
        yield return new ParametersLoaded("job", 1, "abcd");
        yield return new StartStep("job", 12, 2, 3, [4, 5], 64, 1e-3, true);
        yield return new StepCompleted("job", 12, 2, 3, 1, 1.25, 32, null);
        yield return new StepCompleted("job", 13, 2, 4, 0, 1.5, 32, "ffff");
        yield return new StepFailed("job", 12, 1, "boom");
        yield return new EvaluateChunks("job", 2, [(0, 500), (1000, 500)]);
        yield return new EvaluationCompleted("job", 2, 1, 450, 12.5, 500);
        yield return new SaveModel("job");
        yield return new ModelChunk("job", 0, 3, [9, 8, 7]);
        yield return new CaptureState("job", 120);
        yield return new StateChunk("job", 120, 1, 4, [1, 2, 3], "0123456789abcdef");
        yield return new RestoreStateChunk("job", 2, 4, [4, 5, 6]);
        yield return new StateRestored("job", 0);
        yield return new BroadcastState("job", 1, 120);
        yield return new RegroupWorker("job", 2, 1, 3);
        yield return new WorkerRegrouped("job", 2, 1, "10.0.0.7:4100", 119, "0123456789abcdef");
        yield return new ReleaseJob("job", "finished");
        yield return new LightWorkerTally("job", 3, 10, 11, 1200, 1300, 8, 900);
        yield return GetWorkerStatus.Instance;
        yield return new WorkerStatus(null, -1, "idle", -1, 0);
        yield return new SubmitTrainingJob("job", settings, "/runs/job");
        yield return new JobAccepted("job", 2);
        yield return new JobProgressed("job", 1, 10, 5, 600, 320, 60000, 0.5);
        yield return new EpochFinished("job", new EpochMetrics(1, 0.5, 0.4, 0.9, 3000));
        yield return new JobFailed("job", "why");
        yield return new JobCancelled("job");
        yield return new CancelJob("job");
        yield return GetJobStatus.Instance;
        yield return new JobStatus("job", "running", 1, 2, 3);
        yield return GetClusterWorkers.Instance;
        yield return new ClusterWorkers(["akka.tcp://a@b:1", "akka.tcp://a@c:1"], [string.Empty, "job"], ["job"], ["next", "later"]);
        yield return new ReserveWorkers("job", 2);
        yield return new WorkersReserved("job", ["akka.tcp://a@b:1", "akka.tcp://a@c:1"]);
        yield return new ReleaseWorkers("job");
        yield return new JobSubmitted(new StoredJob("job", "point", StoredJob.Training, "mlp", "{\"epochs\": 2}", 2, 5, "/runs/job"));
        yield return new JobStarted("job");
        yield return new JobEnded("job", JobEnded.Finished, string.Empty, "{}", 0.875, 0);
        yield return new JobEnded("job", JobEnded.Failed, "coordinator restarted", string.Empty, null, 0);
        yield return new WorkerLost(1, "akka.tcp://a@b:1", "left");
        yield return new WorkerJoined(a, "akka.tcp://a@b:2");
        var dqn = DqnSettings.DefaultsFor("acrobot") with { Collectors = 3, Hidden = [64, 32], EpsilonAlpha = 2.5, Prioritized = true, Seed = 9 };
        yield return new StartCollectors("job", dqn, [0, 2], a, b);
        yield return new StartCollectors("job", DqnSettings.DefaultsFor("cartpole"), [1], b, a);
        yield return new StartCollectors("job", dqn, [0, 2], a, b, [1234L, 0L]);
        yield return new CollectorsStarted("job", "akka.tcp://clustertrainer@127.0.0.1:4100", [0, 2], [a, b]);
        yield return new CollectorsRefused("job", "akka.tcp://clustertrainer@127.0.0.1:4100", "why");
        yield return new PolicyWeightsPart("job", 3, 96, 1, 5, 16_000, 67_000, [1.5f, -2f, 0f, float.MaxValue]);
        yield return new PolicyWeightsPart("job", 0, 0, 0, 1, 0, 0, []);
        yield return new StoreExperience(1, 7, [0.1f, -0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f], [0, 1], [1f, 0.5f], [0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f], [false, true]);
        yield return new ExperienceAccepted(1, 7);
        yield return new CollectorProgressed(1, 640, 64, [12.0, 500.0], [12, 500], 4, 0.05);
        yield return new CollectorProgressed(0, 16, 16, [], [], 0, 1.0);
        yield return new CollectorFinished(1, 50_000);
        yield return new CollectorFailed(1, "boom");
        yield return GetCollectorStatus.Instance;
        yield return new CollectorStatus(1, 640, 10, 4, 2, true);
        yield return GetCollectorHostStatus.Instance;
        yield return new CollectorHostStatus("akka.tcp://clustertrainer@127.0.0.1:4100", ["job"], 2, 5);
        yield return new JobFinished("job", new RunSummary
        {
            RunId = "job",
            Model = "cnn",
            Dataset = "d",
            TrainSamples = 1,
            TestSamples = 1,
            Workers = 2,
            Shards = 1,
            ThreadsPerWorker = 1,
            Epochs = 1,
            BatchSize = 64,
            Steps = 1,
            Samples = 1,
            WallSeconds = 1,
            TrainSeconds = 1,
            SamplesPerSecond = 1,
            TestAccuracy = 0.9,
            TestLoss = 0.3,
            FinalLoss = 0.2,
            Seed = 1,
            ParameterChecksum = "ab",
            Settings = settings,
        });
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_cross_node_message_should_round_trip(string name)
    {
        var a = CreateTestProbe().Ref;
        var b = CreateTestProbe().Ref;
        var samples = Samples(a, b).Where(m => m.GetType().Name == name).ToArray();
        Assert.NotEmpty(samples);
        foreach (var sample in samples)
        {
            Assert.Equal(Describe(sample), Describe(RoundTrip(sample)));
        }
    }

    [Fact]
    public void Every_bound_message_type_should_have_a_round_trip_sample()
    {
        var covered = Samples(ActorRefs.Nobody, ActorRefs.Nobody).Select(m => m.GetType()).ToHashSet();
        Assert.DoesNotContain(ClusterTrainerSerializer.BoundTypes, t => !covered.Contains(t));
    }

    [Fact]
    public void Every_part_of_the_default_networks_weights_should_fit_far_under_the_remote_frame()
    {
        var weights = new PolicyWeights(12, 384, Enumerable.Range(0, 67_586).Select(i => i * 1e-3f).ToArray());
        var parts = WeightsSplitter.Split("20261201-120000-dqn-cartpole-abcdef", weights);
        Assert.Equal(5, parts.Count);
        Assert.All(parts, part => Assert.InRange(Sys.Serialization.FindSerializerFor(part).ToBinary(part).Length, 1, 65_000));
        // The whole weights never cross nodes: they are not bound, so nobody can send them by mistake in one frame.
        Assert.DoesNotContain(typeof(PolicyWeights), ClusterTrainerSerializer.BoundTypes);
    }

    [Theory]
    [InlineData("cartpole")]
    [InlineData("acrobot")]
    [InlineData("mountaincar")]
    public void The_largest_experience_messages_should_encode_within_the_estimated_size(string env)
    {
        var settings = DqnSettings.DefaultsFor(env);
        var observationSize = EnvironmentCatalog.Get(env).Create().ObservationSize;
        var n = settings.ChunkSteps * settings.EnvsPerCollector;
        var store = new StoreExperience(3, long.MaxValue, new float[n * observationSize], new int[n], new float[n], new float[n * observationSize], new bool[n]);
        var progress = new CollectorProgressed(3, long.MaxValue, n, new double[n], new int[n], long.MaxValue, 0.5);
        var estimate = CollectorPlacement.LargestMessageBytes(settings, observationSize);
        foreach (var message in new object[] { store, progress })
        {
            Assert.InRange(Sys.Serialization.FindSerializerFor(message).ToBinary(message).Length, 1, estimate);
        }
    }

    [Fact]
    public async Task A_whole_training_job_should_run_with_every_message_serialized()
    {
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Epochs = 1, Workers = 2, Shards = 2, BatchSize = 40 };
        using var run = new TempDirectory();
        var result = await ClusterRun.TrainAsync(settings, TestData.Small(400, 200), run.Path, "akka.actor.serialize-messages = on\n" + SerializationConfig.Hocon);
        Assert.Equal(400, result.Summary.Samples);
        Assert.Equal(2, result.Summary.Workers);
    }

    [Fact]
    public void A_message_of_another_protocol_version_should_fail_loudly_naming_both_versions()
    {
        var serializer = (ClusterTrainerSerializer)Sys.Serialization.FindSerializerForType(typeof(StartStep));
        var error = Assert.Throws<SerializationException>(() => serializer.FromBinary([], "99:StartStep"));
        Assert.Contains("protocol version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains($"version {ProtocolVersion.Current}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_message_should_fail_with_a_serialization_error()
    {
        var serializer = (ClusterTrainerSerializer)Sys.Serialization.FindSerializerForType(typeof(FetchSamples));
        var bytes = serializer.ToBinary(new FetchSamples(1, [1, 2, 3, 4]));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..^3], serializer.Manifest(new FetchSamples(1, []))));
    }

    // Records compare arrays by reference, so compare a rendering that spells their contents out.
    private static string Describe(object message) => System.Text.Json.JsonSerializer.Serialize(message, message.GetType(), DescribeOptions);

    private static readonly System.Text.Json.JsonSerializerOptions DescribeOptions = new()
    {
        IncludeFields = true,
        Converters = { new ActorRefPathConverter() },
    };

    private sealed class ActorRefPathConverter : System.Text.Json.Serialization.JsonConverter<IActorRef>
    {
        public override IActorRef Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
            throw new NotSupportedException();

        public override void Write(System.Text.Json.Utf8JsonWriter writer, IActorRef value, System.Text.Json.JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Path.ToString());
    }
}
