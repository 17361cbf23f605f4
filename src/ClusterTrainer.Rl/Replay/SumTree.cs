using System.Numerics;

namespace ClusterTrainer.Rl.Replay;

/// <summary>
/// A binary tree whose leaves hold non-negative weights and whose inner nodes hold the sums below
/// them, so setting a weight and drawing an index in proportion to its weight both take O(log n).
/// </summary>
internal sealed class SumTree
{
    // Heap layout: the root is node 1, node k has children 2k and 2k + 1, leaves start at _leafStart.
    private readonly double[] _nodes;
    private readonly int _leafStart;

    public SumTree(int capacity)
    {
        _leafStart = (int)BitOperations.RoundUpToPowerOf2((uint)capacity);
        _nodes = new double[2 * _leafStart];
    }

    public double Total => _nodes[1];

    public double this[int index] => _nodes[_leafStart + index];

    public void Set(int index, double weight)
    {
        var node = _leafStart + index;
        _nodes[node] = weight;
        // Recomputing each parent from its children, rather than adding a delta, keeps rounding
        // errors from piling up over millions of updates.
        for (node /= 2; node >= 1; node /= 2)
        {
            _nodes[node] = _nodes[2 * node] + _nodes[2 * node + 1];
        }
    }

    /// <summary>The leaf where the running sum of weights passes <paramref name="mass"/>.</summary>
    public int Find(double mass)
    {
        var node = 1;
        while (node < _leafStart)
        {
            var left = 2 * node;
            // Going left when the right side is empty means rounding in the sums can never lead
            // the search to a zero-weight leaf.
            if (mass < _nodes[left] || _nodes[left + 1] <= 0)
            {
                node = left;
            }
            else
            {
                mass -= _nodes[left];
                node = left + 1;
            }
        }

        return node - _leafStart;
    }
}
