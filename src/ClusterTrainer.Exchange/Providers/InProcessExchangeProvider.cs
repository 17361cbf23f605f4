using System.Collections.Concurrent;
using ClusterTrainer.Core;
using ClusterTrainer.Exchange;

namespace ClusterTrainer.Exchange.Providers;

/// <summary>One shared-memory exchange group per job, for workers that all live in this process.</summary>
public sealed class InProcessExchangeProvider(TimeSpan timeout) : IWorkerExchangeProvider
{
    private readonly ConcurrentDictionary<string, InProcessExchangeGroup> _groups = new();

    public string Prepare(string jobId, int rank, int worldSize, AllReduceKind kind = AllReduceKind.Ring)
    {
        var group = _groups.GetOrAdd(jobId, _ => new InProcessExchangeGroup(worldSize, timeout));
        if (group.WorldSize != worldSize)
        {
            throw new InvalidOperationException($"job {jobId}: worker {rank} was told world size {worldSize}, the group has {group.WorldSize}");
        }

        return string.Empty;
    }

    public IGradientExchange Connect(string jobId, int rank, IReadOnlyList<string> endpoints, TimeSpan timeout) =>
        _groups.TryGetValue(jobId, out var group)
            ? group.Members[rank]
            : throw new ExchangeFailedException($"job {jobId}: no exchange group was prepared in this process");

    public void Release(string jobId, int rank, string reason)
    {
        if (_groups.TryRemove(jobId, out var group))
        {
            // The first worker to leave aborts the group, which frees every other worker still waiting in it;
            // the group is not disposed here because those workers may still be returning from it.
            group.Abort(reason);
        }
    }
}
