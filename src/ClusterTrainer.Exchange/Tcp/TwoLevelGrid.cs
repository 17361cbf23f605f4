namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// How a two-level all-reduce arranges N ranks: rows of <see cref="RowSize"/> consecutive ranks, and columns of the
/// ranks at the same place in each row. A row ring reduce-scatters, the column rings all-reduce each row member's
/// segment, the row ring all-gathers: the same bytes per rank as one ring (2(N - 1)/N of the gradient) in
/// 2(R - 1) + 2(N/R - 1) hops instead of 2(N - 1), which is what wins on links whose latency per hop is not small
/// (see README, "The ring at 16 nodes").
/// </summary>
public sealed record TwoLevelGrid(int WorldSize, int RowSize)
{
    public int Rows => WorldSize / RowSize;

    /// <summary>
    /// The grid for N ranks: rows of the largest divisor of N no larger than its square root (4 x 4 for 16, 2 x 3 for 6,
    /// 2 x 4 for 8), so both levels are as short as N allows; null when N has no such divisor above 1 (N below 4, or
    /// prime), where one ring it is.
    /// </summary>
    public static TwoLevelGrid? For(int worldSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        for (var rowSize = (int)Math.Sqrt(worldSize); rowSize >= 2; rowSize--)
        {
            if (worldSize % rowSize == 0)
            {
                return new TwoLevelGrid(worldSize, rowSize);
            }
        }

        return null;
    }

    /// <summary>The ranks of <paramref name="rank"/>'s row, in ring order, and its place among them.</summary>
    public (int[] Members, int Position) RowOf(int rank)
    {
        var row = rank / RowSize;
        return ([.. Enumerable.Range(row * RowSize, RowSize)], rank % RowSize);
    }

    /// <summary>The ranks of <paramref name="rank"/>'s column, in ring order, and its place among them.</summary>
    public (int[] Members, int Position) ColumnOf(int rank)
    {
        var place = rank % RowSize;
        return ([.. Enumerable.Range(0, Rows).Select(row => (row * RowSize) + place)], rank / RowSize);
    }

    /// <summary>Hops (messages in sequence) of one all-reduce: the latency term's multiplier.</summary>
    public int Hops => (2 * (RowSize - 1)) + (2 * (Rows - 1));
}
