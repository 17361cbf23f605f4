using Akka.Actor;
using ClusterTrainer.Cluster.Workers;

namespace ClusterTrainer.Cluster.Simulation;

/// <summary>
/// A worker without a model, for measuring the control plane: it answers every message of the coordinator's worker
/// protocol at once, as a worker whose steps cost nothing would, so what a step costs is the coordinator's planning,
/// book-keeping and messaging alone. Hundreds of them fit in a few processes, where hundreds of real workers would
/// need hundreds of cores. It counts the messages and their serialized bytes (its own CPU, not the coordinator's)
/// and reports them to <paramref name="tally"/> when the job releases it.
/// </summary>
public sealed class LightWorkerActor : ReceiveActor
{
    // A replica's state and model are opaque bytes to the coordinator, which writes them as they come.
    private static readonly byte[] Opaque = [1, 2, 3, 4];
    private const string Checksum = "light";

    private readonly IActorRef _tally;
    private int _rank;
    private long _messagesIn;
    private long _messagesOut;
    private long _bytesIn;
    private long _bytesOut;
    private long _stepMessages;
    private long _stepBytes;

    public LightWorkerActor(IActorRef tally)
    {
        _tally = tally;
        Receive<PrepareWorker>(m =>
        {
            Count(m);
            _rank = m.Rank;
            Reply(new WorkerPrepared(m.JobId, m.Rank, Opaque.Length, string.Empty, 1));
        });
        Receive<ConnectExchange>(m => Answer(m, new ExchangeConnected(m.JobId, _rank)));
        Receive<BroadcastInitialParameters>(m => Answer(m, new ParametersLoaded(m.JobId, _rank, Checksum)));
        Receive<BroadcastState>(m => Answer(m, new ParametersLoaded(m.JobId, _rank, Checksum)));
        Receive<StartStep>(m =>
        {
            _stepMessages++;
            _stepBytes += Count(m);
            // A loss of 1 per sample keeps the coordinator's divergence checks quiet.
            var done = new StepCompleted(m.JobId, m.Sequence, m.Epoch, m.Step, _rank, m.Assignment.Length, m.Assignment.Length, m.ReportChecksum ? Checksum : null);
            _stepMessages++;
            _stepBytes += Reply(done);
        });
        Receive<EvaluateChunks>(m =>
        {
            Count(m);
            var samples = m.Chunks.Sum(c => c.Count);
            Reply(new EvaluationCompleted(m.JobId, m.Epoch, _rank, 0, samples, samples));
        });
        Receive<CaptureState>(m => Answer(m, new StateChunk(m.JobId, m.Sequence, 0, 1, Opaque, Checksum)));
        Receive<SaveModel>(m => Answer(m, new ModelChunk(m.JobId, 0, 1, Opaque)));
        Receive<ReleaseJob>(m =>
        {
            Count(m);
            _tally.Tell(new LightWorkerTally(m.JobId, _rank, _messagesIn, _messagesOut, _bytesIn, _bytesOut, _stepMessages, _stepBytes));
            _messagesIn = _messagesOut = _bytesIn = _bytesOut = _stepMessages = _stepBytes = 0;
        });
    }

    public static Props Props(IActorRef tally) => Akka.Actor.Props.Create(() => new LightWorkerActor(tally));

    private long Count(object message)
    {
        var bytes = SizeOf(message);
        _messagesIn++;
        _bytesIn += bytes;
        return bytes;
    }

    private void Answer(object request, object answer)
    {
        Count(request);
        Reply(answer);
    }

    private long Reply(object message)
    {
        var bytes = SizeOf(message);
        _messagesOut++;
        _bytesOut += bytes;
        Sender.Tell(message);
        return bytes;
    }

    private static long SizeOf(object message) => Context.System.Serialization.FindSerializerFor(message).ToBinary(message).Length;
}
