namespace ClusterTrainer.Cluster.Dashboard;

/// <summary>
/// A series of points that never holds more than its capacity (plus the latest point): when it fills up, every other
/// point is dropped and from then on only every second point is kept, and so on. A whole run stays drawable at an even
/// resolution in bounded memory, however many steps it has.
/// </summary>
public sealed class ThinnedSeries
{
    private readonly int _capacity;
    private readonly List<(double X, double Y)> _kept = [];
    private long _seen;
    private long _stride = 1;
    private (double X, double Y)? _latest;

    public ThinnedSeries(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _capacity = capacity;
    }

    public void Add(double x, double y)
    {
        _latest = (x, y);
        if (_seen++ % _stride != 0)
        {
            return;
        }

        _kept.Add((x, y));
        if (_kept.Count > _capacity)
        {
            for (var i = 0; i < (_kept.Count + 1) / 2; i++)
            {
                _kept[i] = _kept[2 * i];
            }

            _kept.RemoveRange((_kept.Count + 1) / 2, _kept.Count / 2);
            _stride *= 2;
        }
    }

    /// <summary>The kept points in the order added, ending with the latest one.</summary>
    public IReadOnlyList<(double X, double Y)> Points()
    {
        if (_latest is { } latest && (_kept.Count == 0 || _kept[^1] != latest))
        {
            return [.. _kept, latest];
        }

        return _kept.ToArray();
    }
}
