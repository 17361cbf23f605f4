namespace ClusterTrainer.Rl.Dqn;

/// <summary>
/// Gymnasium's "solved" criterion on training episodes: the mean return over the last
/// <c>window</c> episodes reaches the threshold. Remembers the environment step at which that first
/// happened.
/// </summary>
public sealed class SolvedDetector
{
    private readonly Queue<double> _returns = new();
    private readonly int _window;
    private double _sum;

    public SolvedDetector(double threshold, int window = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        Threshold = threshold;
        _window = window;
    }

    public double Threshold { get; }

    public long Episodes { get; private set; }

    /// <summary>The env step at which the criterion was first met, or null.</summary>
    public long? SolvedAtStep { get; private set; }

    /// <summary>The mean return of the last (up to) window episodes; NaN before the first episode.</summary>
    public double MeanReturn => _returns.Count == 0 ? double.NaN : _sum / _returns.Count;

    /// <summary>Records an episode that ended by env step <paramref name="envStep"/>.</summary>
    public void Add(double episodeReturn, long envStep)
    {
        _returns.Enqueue(episodeReturn);
        _sum += episodeReturn;
        if (_returns.Count > _window)
        {
            _sum -= _returns.Dequeue();
        }

        Episodes++;
        // A full window is required: two lucky first episodes are not "100 consecutive episodes".
        if (SolvedAtStep is null && _returns.Count == _window && MeanReturn >= Threshold)
        {
            SolvedAtStep = envStep;
        }
    }
}
