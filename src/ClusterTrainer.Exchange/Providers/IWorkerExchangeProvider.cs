using ClusterTrainer.Core;
using ClusterTrainer.Exchange;

namespace ClusterTrainer.Exchange.Providers;

/// <summary>
/// How a worker node joins a job's gradient exchange. The control plane only carries endpoint strings;
/// the provider turns them into an <see cref="IGradientExchange"/>: shared memory when every worker
/// lives in this process, TCP ring connections when they live in different processes.
/// </summary>
public interface IWorkerExchangeProvider
{
    /// <summary>Prepares this worker's end; returns the endpoint its peers must reach ("" when none is needed).</summary>
    /// <param name="kind">How the workers all-reduce across processes; an exchange in shared memory has no hops and ignores it.</param>
    string Prepare(string jobId, int rank, int worldSize, AllReduceKind kind = AllReduceKind.Ring);

    /// <summary>Connects to the peers (blocking, bounded by <paramref name="timeout"/>); called on the worker's thread.</summary>
    IGradientExchange Connect(string jobId, int rank, IReadOnlyList<string> endpoints, TimeSpan timeout);

    /// <summary>Breaks the job's exchange so no worker stays blocked in it, and frees its resources.</summary>
    void Release(string jobId, int rank, string reason);
}
