using Serilog.Core;
using Serilog.Events;

namespace ClusterTrainer.Training.Tests;

/// <summary>A Serilog sink that completes when the first event whose message template holds a fragment is written.</summary>
internal sealed class LogSignal(string templateFragment) : ILogEventSink
{
    private readonly TaskCompletionSource<LogEvent> _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<LogEvent> Seen => _seen.Task;

    public void Emit(LogEvent logEvent)
    {
        if (logEvent.MessageTemplate.Text.Contains(templateFragment, StringComparison.Ordinal))
        {
            _seen.TrySetResult(logEvent);
        }
    }
}
