using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;

namespace ClusterTrainer.Training.Tests;

/// <summary>Every address a node's cluster has seen Up, recorded from its own member events, with a completion signal per address.</summary>
internal sealed class MemberLog
{
    private readonly ConcurrentDictionary<Address, TaskCompletionSource> _up = new();

    public MemberLog(ActorSystem system) => system.ActorOf(Props.Create(() => new Recorder(this)));

    public IReadOnlyCollection<Address> Seen => _up.Where(pair => pair.Value.Task.IsCompleted).Select(pair => pair.Key).ToArray();

    public Task WaitForAsync(Address address, TimeSpan timeout) => Signal(address).Task.WaitAsync(timeout);

    private TaskCompletionSource Signal(Address address) =>
        _up.GetOrAdd(address, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(MemberLog log)
        {
            Receive<ClusterEvent.MemberUp>(m => log.Signal(m.Member.Address).TrySetResult());
            Receive<ClusterEvent.CurrentClusterState>(state =>
            {
                foreach (var member in state.Members.Where(m => m.Status == MemberStatus.Up))
                {
                    log.Signal(member.Address).TrySetResult();
                }
            });
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.MemberUp));
        }
    }
}
