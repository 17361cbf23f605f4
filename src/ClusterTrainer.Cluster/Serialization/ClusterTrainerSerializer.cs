using Akka.Actor;
using Akka.Serialization;
using ClusterTrainer.Cluster.Api.Store;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Nodes;
using ClusterTrainer.Cluster.Rl;
using ClusterTrainer.Cluster.Shards;
using ClusterTrainer.Cluster.Simulation;
using ClusterTrainer.Cluster.Workers;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Data;
using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Cluster.Serialization;

/// <summary>
/// Binary serializer for every message that crosses nodes. Manifests carry the protocol version
/// ("2:StartStep"), so a node of another version fails loudly on the first message instead of misreading
/// it; registration messages are unversioned so such a node can still be told why it is refused.
/// </summary>
public sealed class ClusterTrainerSerializer : SerializerWithStringManifest
{
    public const int SerializerId = 523;

    private static readonly Dictionary<Type, (string Name, Action<BinaryWriter, object> Write)> Writers = [];
    private static readonly Dictionary<string, Func<BinaryReader, ExtendedActorSystem, object>> Readers = [];

    static ClusterTrainerSerializer()
    {
        // Registration: stable layout, unversioned manifests.
        Add<RegisterWorker>("RegisterWorker", versioned: false, (w, m) => { w.Write(m.ProtocolVersion); w.WriteActorRef(m.Worker); }, (r, s) => new RegisterWorker(r.ReadInt32(), r.ReadActorRef(s)));
        Add<WorkerRefused>("WorkerRefused", versioned: false, (w, m) => w.Write(m.Reason), (r, _) => new WorkerRefused(r.ReadString()));
        Add<WorkerRegistered>("WorkerRegistered", versioned: true, (w, m) => w.Write(m.Coordinator), (r, _) => new WorkerRegistered(r.ReadString()));

        // Data shards.
        Add<FetchSamples>("FetchSamples", true, (w, m) => { w.Write(m.RequestId); w.WriteInts(m.Indices); }, (r, _) => new FetchSamples(r.ReadInt64(), r.ReadInts()));
        Add<FetchRange>("FetchRange", true, (w, m) => { w.Write(m.RequestId); w.Write(m.Start); w.Write(m.Count); }, (r, _) => new FetchRange(r.ReadInt64(), r.ReadInt32(), r.ReadInt32()));
        Add<SamplesServed>("SamplesServed", true, (w, m) => { w.Write(m.RequestId); WriteBatch(w, m.Batch); }, (r, _) => new SamplesServed(r.ReadInt64(), ReadBatch(r)));
        Add<SamplesRefused>("SamplesRefused", true, (w, m) => { w.Write(m.RequestId); w.Write(m.Reason); }, (r, _) => new SamplesRefused(r.ReadInt64(), r.ReadString()));

        // Workers.
        Add<PrepareWorker>("PrepareWorker", true, (w, m) =>
        {
            w.Write(m.JobId);
            w.WriteJson(m.Settings);
            w.WriteInts(m.SampleShape);
            w.Write(m.Classes);
            w.Write(m.Rank);
            w.Write(m.WorldSize);
            w.WriteActorRefs(m.TrainShards);
            w.Write(m.TrainSamples);
            w.WriteActorRef(m.TestShard);
        }, (r, s) => new PrepareWorker(r.ReadString(), r.ReadJson<TrainingSettings>(), r.ReadInts(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadActorRefs(s), r.ReadInt32(), r.ReadActorRef(s)));
        Add<WorkerPrepared>("WorkerPrepared", true, (w, m) => { w.Write(m.JobId); w.Write(m.Rank); w.Write(m.ParameterCount); w.Write(m.ExchangeEndpoint); w.Write(m.Threads); }, (r, _) => new WorkerPrepared(r.ReadString(), r.ReadInt32(), r.ReadInt32(), r.ReadString(), r.ReadInt32()));
        Add<ConnectExchange>("ConnectExchange", true, (w, m) => { w.Write(m.JobId); w.WriteStrings(m.Endpoints); }, (r, _) => new ConnectExchange(r.ReadString(), r.ReadStrings()));
        Add<ExchangeConnected>("ExchangeConnected", true, (w, m) => { w.Write(m.JobId); w.Write(m.Rank); }, (r, _) => new ExchangeConnected(r.ReadString(), r.ReadInt32()));
        Add<BroadcastInitialParameters>("BroadcastInitialParameters", true, (w, m) => w.Write(m.JobId), (r, _) => new BroadcastInitialParameters(r.ReadString()));
        Add<ParametersLoaded>("ParametersLoaded", true, (w, m) => { w.Write(m.JobId); w.Write(m.Rank); w.Write(m.Checksum); }, (r, _) => new ParametersLoaded(r.ReadString(), r.ReadInt32(), r.ReadString()));
        Add<StartStep>("StartStep", true, (w, m) =>
        {
            w.Write(m.JobId);
            w.Write(m.Sequence);
            w.Write(m.Epoch);
            w.Write(m.Step);
            w.WriteInts(m.Assignment);
            w.Write(m.GlobalBatchSize);
            w.Write(m.LearningRate);
            w.Write(m.ReportChecksum);
        }, (r, _) => new StartStep(r.ReadString(), r.ReadInt64(), r.ReadInt32(), r.ReadInt32(), r.ReadInts(), r.ReadInt32(), r.ReadDouble(), r.ReadBoolean()));
        Add<StepCompleted>("StepCompleted", true, (w, m) =>
        {
            w.Write(m.JobId);
            w.Write(m.Sequence);
            w.Write(m.Epoch);
            w.Write(m.Step);
            w.Write(m.Rank);
            w.Write(m.LossSum);
            w.Write(m.Samples);
            w.WriteString(m.Checksum);
        }, (r, _) => new StepCompleted(r.ReadString(), r.ReadInt64(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadDouble(), r.ReadInt32(), r.ReadNullableString()));
        Add<StepFailed>("StepFailed", true, (w, m) => { w.Write(m.JobId); w.Write(m.Sequence); w.Write(m.Rank); w.Write(m.Reason); }, (r, _) => new StepFailed(r.ReadString(), r.ReadInt64(), r.ReadInt32(), r.ReadString()));
        Add<EvaluateChunks>("EvaluateChunks", true, (w, m) =>
        {
            w.Write(m.JobId);
            w.Write(m.Epoch);
            w.WriteInts(m.Chunks.SelectMany(c => new[] { c.Start, c.Count }).ToArray());
        }, (r, _) =>
        {
            var jobId = r.ReadString();
            var epoch = r.ReadInt32();
            var flat = r.ReadInts();
            return new EvaluateChunks(jobId, epoch, flat.Chunk(2).Select(p => (p[0], p[1])).ToArray());
        });
        Add<EvaluationCompleted>("EvaluationCompleted", true, (w, m) =>
        {
            w.Write(m.JobId);
            w.Write(m.Epoch);
            w.Write(m.Rank);
            w.Write(m.Correct);
            w.Write(m.LossSum);
            w.Write(m.Samples);
        }, (r, _) => new EvaluationCompleted(r.ReadString(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadDouble(), r.ReadInt32()));
        Add<SaveModel>("SaveModel", true, (w, m) => w.Write(m.JobId), (r, _) => new SaveModel(r.ReadString()));
        Add<ModelChunk>("ModelChunk", true, (w, m) => { w.Write(m.JobId); w.Write(m.Index); w.Write(m.Count); w.WriteBytes(m.Bytes); }, (r, _) => new ModelChunk(r.ReadString(), r.ReadInt32(), r.ReadInt32(), r.ReadBytes()));
        Add<CaptureState>("CaptureState", true, (w, m) => { w.Write(m.JobId); w.Write(m.Sequence); }, (r, _) => new CaptureState(r.ReadString(), r.ReadInt64()));
        Add<StateChunk>("StateChunk", true, (w, m) => { w.Write(m.JobId); w.Write(m.Sequence); w.Write(m.Index); w.Write(m.Count); w.WriteBytes(m.Bytes); w.Write(m.Checksum); }, (r, _) => new StateChunk(r.ReadString(), r.ReadInt64(), r.ReadInt32(), r.ReadInt32(), r.ReadBytes(), r.ReadString()));
        Add<RestoreStateChunk>("RestoreStateChunk", true, (w, m) => { w.Write(m.JobId); w.Write(m.Index); w.Write(m.Count); w.WriteBytes(m.Bytes); }, (r, _) => new RestoreStateChunk(r.ReadString(), r.ReadInt32(), r.ReadInt32(), r.ReadBytes()));
        Add<StateRestored>("StateRestored", true, (w, m) => { w.Write(m.JobId); w.Write(m.Rank); }, (r, _) => new StateRestored(r.ReadString(), r.ReadInt32()));
        Add<BroadcastState>("BroadcastState", true, (w, m) => { w.Write(m.JobId); w.Write(m.SourceRank); w.Write(m.NextSequence); }, (r, _) => new BroadcastState(r.ReadString(), r.ReadInt32(), r.ReadInt64()));
        Add<RegroupWorker>("RegroupWorker", true, (w, m) => { w.Write(m.JobId); w.Write(m.Generation); w.Write(m.Rank); w.Write(m.WorldSize); }, (r, _) => new RegroupWorker(r.ReadString(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32()));
        Add<WorkerRegrouped>("WorkerRegrouped", true, (w, m) =>
        {
            w.Write(m.JobId);
            w.Write(m.Generation);
            w.Write(m.Rank);
            w.Write(m.ExchangeEndpoint);
            w.Write(m.LastCompletedSequence);
            w.Write(m.Checksum);
        }, (r, _) => new WorkerRegrouped(r.ReadString(), r.ReadInt32(), r.ReadInt32(), r.ReadString(), r.ReadInt64(), r.ReadString()));
        Add<LightWorkerTally>("LightWorkerTally", true, (w, m) =>
        {
            w.Write(m.JobId);
            w.Write(m.Rank);
            w.Write(m.MessagesIn);
            w.Write(m.MessagesOut);
            w.Write(m.BytesIn);
            w.Write(m.BytesOut);
            w.Write(m.StepMessages);
            w.Write(m.StepBytes);
        }, (r, _) => new LightWorkerTally(r.ReadString(), r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64()));
        Add<ReleaseJob>("ReleaseJob", true, (w, m) => { w.Write(m.JobId); w.Write(m.Reason); }, (r, _) => new ReleaseJob(r.ReadString(), r.ReadString()));
        Add<GetWorkerStatus>("GetWorkerStatus", true, (_, _) => { }, (_, _) => GetWorkerStatus.Instance);
        Add<WorkerStatus>("WorkerStatus", true, (w, m) =>
        {
            w.WriteString(m.JobId);
            w.Write(m.Rank);
            w.Write(m.State);
            w.Write(m.LastCompletedSequence);
            w.Write(m.PendingSteps);
        }, (r, _) => new WorkerStatus(r.ReadNullableString(), r.ReadInt32(), r.ReadString(), r.ReadInt64(), r.ReadInt32()));

        // Jobs.
        Add<SubmitTrainingJob>("SubmitTrainingJob", true, (w, m) => { w.Write(m.JobId); w.WriteJson(m.Settings); w.Write(m.OutputDirectory); w.Write(m.Resume); }, (r, _) => new SubmitTrainingJob(r.ReadString(), r.ReadJson<TrainingSettings>(), r.ReadString(), r.ReadBoolean()));
        Add<JobAccepted>("JobAccepted", true, (w, m) => { w.Write(m.JobId); w.Write(m.Position); }, (r, _) => new JobAccepted(r.ReadString(), r.ReadInt32()));
        Add<JobProgressed>("JobProgressed", true, (w, m) =>
        {
            w.Write(m.JobId);
            w.Write(m.Epoch);
            w.Write(m.Epochs);
            w.Write(m.Step);
            w.Write(m.StepsPerEpoch);
            w.Write(m.SamplesDone);
            w.Write(m.SamplesTotal);
            w.Write(m.LastLoss);
        }, (r, _) => new JobProgressed(r.ReadString(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), r.ReadDouble()));
        Add<EpochFinished>("EpochFinished", true, (w, m) => { w.Write(m.JobId); w.WriteJson(m.Metrics); }, (r, _) => new EpochFinished(r.ReadString(), r.ReadJson<EpochMetrics>()));
        Add<JobFinished>("JobFinished", true, (w, m) => { w.Write(m.JobId); w.WriteJson(m.Summary); }, (r, _) => new JobFinished(r.ReadString(), r.ReadJson<RunSummary>()));
        Add<JobFailed>("JobFailed", true, (w, m) => { w.Write(m.JobId); w.Write(m.Reason); }, (r, _) => new JobFailed(r.ReadString(), r.ReadString()));
        Add<JobCancelled>("JobCancelled", true, (w, m) => w.Write(m.JobId), (r, _) => new JobCancelled(r.ReadString()));
        Add<CancelJob>("CancelJob", true, (w, m) => w.Write(m.JobId), (r, _) => new CancelJob(r.ReadString()));
        Add<GetJobStatus>("GetJobStatus", true, (_, _) => { }, (_, _) => GetJobStatus.Instance);
        Add<JobStatus>("JobStatus", true, (w, m) => { w.Write(m.JobId); w.Write(m.State); w.Write(m.Epoch); w.Write(m.Step); w.Write(m.StepsPerEpoch); }, (r, _) => new JobStatus(r.ReadString(), r.ReadString(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32()));
        Add<GetClusterWorkers>("GetClusterWorkers", true, (_, _) => { }, (_, _) => GetClusterWorkers.Instance);
        Add<ClusterWorkers>("ClusterWorkers", true, (w, m) => { w.WriteStrings(m.Nodes); w.WriteStrings(m.NodeJobs); w.WriteStrings(m.RunningJobs); w.WriteStrings(m.Queue); }, (r, _) => new ClusterWorkers(r.ReadStrings(), r.ReadStrings(), r.ReadStrings(), r.ReadStrings()));
        Add<ReserveWorkers>("ReserveWorkers", true, (w, m) => { w.Write(m.JobId); w.Write(m.Workers); }, (r, _) => new ReserveWorkers(r.ReadString(), r.ReadInt32()));
        Add<WorkersReserved>("WorkersReserved", true, (w, m) => { w.Write(m.JobId); w.WriteStrings(m.Nodes); }, (r, _) => new WorkersReserved(r.ReadString(), r.ReadStrings()));
        Add<ReleaseWorkers>("ReleaseWorkers", true, (w, m) => w.Write(m.JobId), (r, _) => new ReleaseWorkers(r.ReadString()));
        // The durable job store's events: written to its database and read back by later versions, so unversioned.
        Add<JobSubmitted>("JobSubmitted", false, (w, m) => w.WriteJson(m.Job), (r, _) => new JobSubmitted(r.ReadJson<StoredJob>()));
        Add<JobStarted>("JobStarted", false, (w, m) => w.Write(m.JobId), (r, _) => new JobStarted(r.ReadString()));
        Add<JobEnded>("JobEnded", false, (w, m) => w.WriteJson(m), (r, _) => r.ReadJson<JobEnded>());
        // DQN collectors on worker nodes: placement, weights in parts, experience and progress.
        Add<StartCollectors>("StartCollectors", true, (w, m) =>
        {
            w.Write(m.JobId);
            w.WriteJson(m.Settings);
            w.WriteInts(m.Collectors);
            w.WriteActorRef(m.Replay);
            w.WriteActorRef(m.Coordinator);
            w.WriteLongs(m.StepsDone ?? []);
        }, (r, s) => new StartCollectors(r.ReadString(), r.ReadJson<DqnSettings>(), r.ReadInts(), r.ReadActorRef(s), r.ReadActorRef(s), r.ReadLongs() is { Length: > 0 } done ? done : null));
        Add<CollectorsStarted>("CollectorsStarted", true, (w, m) => { w.Write(m.JobId); w.Write(m.Node); w.WriteInts(m.Collectors); w.WriteActorRefs(m.Refs); }, (r, s) => new CollectorsStarted(r.ReadString(), r.ReadString(), r.ReadInts(), r.ReadActorRefs(s)));
        Add<CollectorsRefused>("CollectorsRefused", true, (w, m) => { w.Write(m.JobId); w.Write(m.Node); w.Write(m.Reason); }, (r, _) => new CollectorsRefused(r.ReadString(), r.ReadString(), r.ReadString()));
        Add<PolicyWeightsPart>("PolicyWeightsPart", true, (w, m) =>
        {
            w.Write(m.JobId);
            w.Write(m.Version);
            w.Write(m.Updates);
            w.Write(m.Part);
            w.Write(m.Parts);
            w.Write(m.Offset);
            w.Write(m.TotalLength);
            w.WriteFloats(m.Values);
        }, (r, _) => new PolicyWeightsPart(r.ReadString(), r.ReadInt64(), r.ReadInt64(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadFloats()));
        Add<StoreExperience>("StoreExperience", true, (w, m) =>
        {
            w.Write(m.Collector);
            w.Write(m.Sequence);
            w.WriteFloats(m.Observations);
            w.WriteInts(m.Actions);
            w.WriteFloats(m.Rewards);
            w.WriteFloats(m.NextObservations);
            w.WriteBools(m.Terminated);
        }, (r, _) => new StoreExperience(r.ReadInt32(), r.ReadInt64(), r.ReadFloats(), r.ReadInts(), r.ReadFloats(), r.ReadFloats(), r.ReadBools()));
        Add<ExperienceAccepted>("ExperienceAccepted", true, (w, m) => { w.Write(m.Collector); w.Write(m.Sequence); }, (r, _) => new ExperienceAccepted(r.ReadInt32(), r.ReadInt64()));
        Add<CollectorProgressed>("CollectorProgressed", true, (w, m) =>
        {
            w.Write(m.Collector);
            w.Write(m.Steps);
            w.Write(m.Transitions);
            w.WriteDoubles(m.EpisodeReturns);
            w.WriteInts(m.EpisodeLengths);
            w.Write(m.PolicyVersion);
            w.Write(m.Epsilon);
        }, (r, _) => new CollectorProgressed(r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), r.ReadDoubles(), r.ReadInts(), r.ReadInt64(), r.ReadDouble()));
        Add<CollectorFinished>("CollectorFinished", true, (w, m) => { w.Write(m.Collector); w.Write(m.Steps); }, (r, _) => new CollectorFinished(r.ReadInt32(), r.ReadInt64()));
        Add<CollectorFailed>("CollectorFailed", true, (w, m) => { w.Write(m.Collector); w.Write(m.Reason); }, (r, _) => new CollectorFailed(r.ReadInt32(), r.ReadString()));
        Add<GetCollectorStatus>("GetCollectorStatus", true, (_, _) => { }, (_, _) => GetCollectorStatus.Instance);
        Add<CollectorStatus>("CollectorStatus", true, (w, m) =>
        {
            w.Write(m.Collector);
            w.Write(m.Steps);
            w.Write(m.Chunks);
            w.Write(m.PolicyVersion);
            w.Write(m.ChunksInFlight);
            w.Write(m.Finished);
        }, (r, _) => new CollectorStatus(r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadInt32(), r.ReadBoolean()));
        Add<GetCollectorHostStatus>("GetCollectorHostStatus", true, (_, _) => { }, (_, _) => GetCollectorHostStatus.Instance);
        Add<CollectorHostStatus>("CollectorHostStatus", true, (w, m) => { w.Write(m.Node); w.WriteStrings(m.Jobs); w.Write(m.Running); w.Write(m.Started); }, (r, _) => new CollectorHostStatus(r.ReadString(), r.ReadStrings(), r.ReadInt32(), r.ReadInt64()));

        Add<WorkerJoined>("WorkerJoined", true, (w, m) => { w.WriteActorRef(m.Worker); w.Write(m.Node); }, (r, s) => new WorkerJoined(r.ReadActorRef(s), r.ReadString()));
        Add<WorkerLost>("WorkerLost", true, (w, m) => { w.Write(m.Rank); w.Write(m.Node); w.Write(m.Reason); }, (r, _) => new WorkerLost(r.ReadInt32(), r.ReadString(), r.ReadString()));
    }

    public ClusterTrainerSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => SerializerId;

    /// <summary>The message types this serializer owns, for binding in configuration.</summary>
    public static IReadOnlyCollection<Type> BoundTypes => Writers.Keys;

    public override string Manifest(object o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return Writers.TryGetValue(o.GetType(), out var entry)
            ? entry.Name
            : throw new ArgumentException($"{o.GetType()} is not a ClusterTrainer protocol message", nameof(o));
    }

    public override byte[] ToBinary(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            Writers[obj.GetType()].Write(writer, obj);
        }

        return stream.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Readers.TryGetValue(manifest, out var read))
        {
            var version = manifest.Split(':') is [var v, _] ? v : "none";
            throw new System.Runtime.Serialization.SerializationException(
                $"Unknown ClusterTrainer message '{manifest}' (protocol version {version}; this node speaks version {ProtocolVersion.Current}): run the same ClusterTrainer version on every node.");
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes), System.Text.Encoding.UTF8);
            return read(reader, system);
        }
        catch (Exception error) when (error is EndOfStreamException or InvalidDataException)
        {
            throw new System.Runtime.Serialization.SerializationException($"Malformed ClusterTrainer message '{manifest}' ({bytes.Length} bytes): {error.Message}", error);
        }
    }

    private static void Add<T>(string name, bool versioned, Action<BinaryWriter, T> write, Func<BinaryReader, ExtendedActorSystem, T> read)
        where T : notnull
    {
        var manifest = versioned ? $"{ProtocolVersion.Current}:{name}" : name;
        Writers[typeof(T)] = (manifest, (w, o) => write(w, (T)o));
        Readers[manifest] = (r, s) => read(r, s);
    }

    private static void WriteBatch(BinaryWriter writer, SampleBatch batch)
    {
        writer.Write(batch.Bytes is not null);
        writer.Write(batch.Values is not null);
        if (batch.Bytes is not null)
        {
            writer.WriteBytes(batch.Bytes);
        }

        if (batch.Values is not null)
        {
            writer.WriteFloats(batch.Values);
        }

        writer.WriteInts(batch.Labels);
    }

    private static SampleBatch ReadBatch(BinaryReader reader)
    {
        var hasBytes = reader.ReadBoolean();
        var hasValues = reader.ReadBoolean();
        var bytes = hasBytes ? reader.ReadBytes() : null;
        var values = hasValues ? reader.ReadFloats() : null;
        return new SampleBatch(bytes, values, reader.ReadInts());
    }
}
