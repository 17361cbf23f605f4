using Akka.Actor;
using ClusterTrainer.Cluster.Nodes;

namespace ClusterTrainer.Cluster.Simulation;

/// <summary>
/// In the measuring process: takes the light workers that processes offer (the worker nodes' own registration
/// message, so a light worker joins as a real one does), and gathers what each counted when its job ended.
/// </summary>
public sealed class LightWorkerRegistryActor : ReceiveActor
{
    private readonly List<IActorRef> _workers = [];
    private readonly List<(AwaitLightWorkers Request, IActorRef ReplyTo)> _waitingForWorkers = [];
    private readonly Dictionary<string, List<LightWorkerTally>> _tallies = [];
    private readonly List<(AwaitTallies Request, IActorRef ReplyTo)> _waitingForTallies = [];

    public LightWorkerRegistryActor()
    {
        Receive<RegisterWorker>(m =>
        {
            if (!_workers.Contains(m.Worker))
            {
                _workers.Add(m.Worker);
            }

            Sender.Tell(new WorkerRegistered(Self.Path.ToString()));
            AnswerWaiting();
        });
        Receive<AwaitLightWorkers>(m =>
        {
            _waitingForWorkers.Add((m, Sender));
            AnswerWaiting();
        });
        Receive<LightWorkerTally>(m =>
        {
            if (!_tallies.TryGetValue(m.JobId, out var list))
            {
                _tallies[m.JobId] = list = [];
            }

            list.Add(m);
            AnswerWaiting();
        });
        Receive<AwaitTallies>(m =>
        {
            _waitingForTallies.Add((m, Sender));
            AnswerWaiting();
        });
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new LightWorkerRegistryActor());

    private void AnswerWaiting()
    {
        foreach (var waiting in _waitingForWorkers.Where(w => _workers.Count >= w.Request.Count).ToArray())
        {
            waiting.ReplyTo.Tell(new RegisteredLightWorkers([.. _workers]));
            _waitingForWorkers.Remove(waiting);
        }

        foreach (var waiting in _waitingForTallies.ToArray())
        {
            if (_tallies.TryGetValue(waiting.Request.JobId, out var list) && list.Count >= waiting.Request.Workers)
            {
                waiting.ReplyTo.Tell(new LightWorkerTallies([.. list]));
                _waitingForTallies.Remove(waiting);
                _tallies.Remove(waiting.Request.JobId);
            }
        }
    }
}
