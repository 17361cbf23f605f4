using System.Diagnostics;
using ClusterTrainer.Core;
using ClusterTrainer.Data;
using ClusterTrainer.Exchange;
using ClusterTrainer.Exchange.Exact;

namespace ClusterTrainer.Models;

/// <summary>
/// One worker's part of a <c>--deterministic</c> step: the gradient of each of its micro-batches alone, then their
/// exact sum over all workers. The float gradient of a micro-batch does not depend on where it is computed; the sum is
/// int64 fixed point, so its bits do not depend on how the micro-batches were dealt or on the ring's order. Afterwards
/// the replica holds the global batch's averaged gradient, identical in every world size.
/// </summary>
/// <remarks>
/// Two exchange calls per step: a tiny one in which every worker learns every other's largest gradient magnitude (each
/// puts its own in its rank's slot, the rest zeros, so the float sum is exact), and the int64 sum itself. Not
/// thread-safe: it belongs to the worker's step thread, like its replica.
/// </remarks>
public sealed class ExactGradientStep
{
    private readonly Replica _replica;
    private readonly int _rank;
    private readonly GradientBuffer _maxima;
    private readonly long[] _sums;
    private readonly List<float[]> _parts = [];

    public ExactGradientStep(Replica replica, int rank, int worldSize)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, worldSize);
        _replica = replica;
        _rank = rank;
        _maxima = GradientBuffer.Allocate(worldSize);
        _sums = new long[replica.ParameterCount];
    }

    /// <summary>Time the last step spent in the two exchange calls.</summary>
    public TimeSpan LastExchange { get; private set; }

    /// <summary>
    /// Computes this worker's micro-batches of <paramref name="batch"/> (whole micro-batches of
    /// <paramref name="microBatch"/>, as the epoch plan dealt them) and leaves the exact global gradient in the replica.
    /// </summary>
    /// <returns>This worker's summed loss, each micro-batch's rounded by <see cref="ExactLoss"/> so that sums of them are order-free.</returns>
    /// <param name="sampleKeys">Each sample's dropout key, in batch order (see <see cref="Replica.ComputeGradients"/>).</param>
    public double Run(SampleBatch batch, long[] sampleKeys, int globalBatchSize, int microBatch, IGradientExchange exchange, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(sampleKeys);
        ArgumentNullException.ThrowIfNull(exchange);
        var parts = MicroBatches.Within(batch.Count, microBatch).ToArray();
        var loss = 0.0;
        var largest = 0f;
        for (var i = 0; i < parts.Length; i++)
        {
            loss += ExactLoss.Round(_replica.ComputeGradients(
                batch.Slice(parts[i].Offset, parts[i].Count), globalBatchSize, sampleKeys.AsSpan(parts[i].Offset, parts[i].Count).ToArray()));
            var magnitude = _replica.GradientMaxAbs();
            largest = float.IsNaN(magnitude) || float.IsNaN(largest) ? float.NaN : Math.Max(largest, magnitude);
            _replica.CopyGradientsTo(Part(i));
        }

        var started = Stopwatch.GetTimestamp();
        var maxima = _maxima.Span;
        maxima.Clear();
        maxima[_rank] = largest;
        exchange.AllReduceSum(_maxima, cancellationToken);
        var shared = 0f;
        foreach (var value in maxima)
        {
            shared = float.IsFinite(value) && float.IsFinite(shared) ? Math.Max(shared, value) : float.NaN;
        }

        if (!float.IsFinite(shared))
        {
            // Every rank sees the same maxima, so every rank skips the sum and stops at the divergence check.
            _replica.SetGradients(gradients => gradients.Fill(float.NaN));
            LastExchange = Stopwatch.GetElapsedTime(started);
            return loss;
        }

        var exponent = FixedPointSum.ExponentFor(shared, MicroBatches.Count(globalBatchSize, microBatch));
        Array.Clear(_sums);
        var exchangeBefore = Stopwatch.GetElapsedTime(started);
        for (var i = 0; i < parts.Length; i++)
        {
            FixedPointSum.Accumulate(_parts[i], exponent, _sums);
        }

        var summing = Stopwatch.GetTimestamp();
        exchange.AllReduceSum(_sums, cancellationToken);
        LastExchange = exchangeBefore + Stopwatch.GetElapsedTime(summing);
        _replica.SetGradients(gradients => FixedPointSum.Decode(_sums, exponent, gradients));
        return loss;
    }

    private float[] Part(int index)
    {
        while (_parts.Count <= index)
        {
            _parts.Add(GC.AllocateUninitializedArray<float>(_replica.ParameterCount));
        }

        return _parts[index];
    }
}
