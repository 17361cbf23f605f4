using System.Collections.Concurrent;

namespace ClusterTrainer.Core.Threading;

/// <summary>
/// One long-lived thread that runs submitted work in order. A worker's training steps run here rather than
/// on the shared pool: libtorch's intra-op thread count is a per-thread setting, and a step that keeps its
/// thread also keeps its caches warm and never starves the actors' dispatcher.
/// </summary>
public sealed class DedicatedThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;

    public DedicatedThread(string name, Action? onStart = null)
    {
        _thread = new Thread(() =>
        {
            onStart?.Invoke();
            foreach (var item in _work.GetConsumingEnumerable())
            {
                item();
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        _thread.Start();
    }

    public Task<T> Run<T>(Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                completion.SetResult(work());
            }
            catch (Exception error)
            {
                completion.SetException(error);
            }
        });
        return completion.Task;
    }

    public Task Run(Action work) => Run(() =>
    {
        work();
        return true;
    });

    /// <summary>Stops taking work, lets queued work finish, and waits (bounded) for the thread to end.</summary>
    public void Dispose()
    {
        _work.CompleteAdding();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(30));
        }

        _work.Dispose();
    }
}
