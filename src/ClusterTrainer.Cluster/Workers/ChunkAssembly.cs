namespace ClusterTrainer.Cluster.Workers;

/// <summary>
/// Puts back together bytes that crossed the control plane in numbered pieces (a saved model, a replica's state):
/// pieces may arrive in any order; the whole is given once every one of them is in.
/// </summary>
public sealed class ChunkAssembly
{
    private readonly SortedDictionary<int, byte[]> _pieces = [];

    /// <returns>The whole bytes when this piece completes them (the assembly is then empty again), else null.</returns>
    public byte[]? Add(int index, int count, byte[] bytes)
    {
        _pieces[index] = bytes;
        if (_pieces.Count < count)
        {
            return null;
        }

        var whole = _pieces.Values.SelectMany(b => b).ToArray();
        _pieces.Clear();
        return whole;
    }

    public void Clear() => _pieces.Clear();
}
