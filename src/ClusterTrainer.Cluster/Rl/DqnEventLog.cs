using ClusterTrainer.Core.Outputs.TensorBoard;

namespace ClusterTrainer.Cluster.Rl;

/// <summary>
/// What a DQN run writes to TensorBoard, against environment steps: while it runs, the training episodes' mean
/// return (last 100), env steps/s and learner updates with every progress report, and each periodic greedy
/// evaluation; at the end, every training episode's return and the final evaluation of the kept weights.
/// </summary>
public sealed class DqnEventLog : IDisposable
{
    private readonly TensorBoardWriter _writer;
    private readonly Lock _lock = new();
    private bool _disposed;

    public DqnEventLog(string directory, TimeProvider? clock = null)
    {
        _writer = new TensorBoardWriter(directory, clock);
    }

    public string Path => _writer.Path;

    /// <summary>A run's event (<see cref="DqnProgressed"/>, <see cref="DqnEvaluated"/>); others are ignored.</summary>
    public void Observe(object @event)
    {
        switch (@event)
        {
            case DqnProgressed p:
                Write(p.EnvSteps, [
                    ("dqn/train_mean_return_100", p.TrainMeanReturn),
                    ("dqn/env_steps_per_second", p.EnvStepsPerSecond),
                    ("dqn/updates", p.Updates),
                    ("dqn/episodes", p.Episodes),
                ]);
                break;
            case DqnEvaluated e:
                Write(e.Row.EnvSteps, [("dqn/eval_mean_return", e.Row.EvalMeanReturn)]);
                break;
        }
    }

    public void Completed(DqnRunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var (step, value) in result.Episodes)
        {
            Write(step, [("dqn/episode_return", value)]);
        }

        Write(result.EnvSteps, [("dqn/final_eval_mean_return", result.FinalEvalMean)]);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _writer.Dispose();
        }
    }

    // Events come from the run's listener actor; the end of the run may race a late one, which is then dropped.
    private void Write(long step, IReadOnlyList<(string Tag, double Value)> scalars)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _writer.Scalars(step, scalars);
            _writer.Flush();
        }
    }
}
