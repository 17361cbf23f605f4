using ClusterTrainer.Api.Settings;
using ClusterTrainer.Core;

namespace ClusterTrainer.Cli.Client;

/// <summary>
/// What `submit` can send: the job API carries the training settings that have an API field in
/// <see cref="TrainingSettingsSchema"/> and a DQN job's own few; a flag it cannot carry is refused by name rather
/// than dropped on the way.
/// </summary>
public static class SubmitRules
{
    private static readonly string[] DqnFlags = ["--dqn-env", "--collectors", "--steps", "--seed", "--replay-ratio", "--model"];
    private static readonly string[] DqnOnlyFlags = ["--collectors", "--steps", "--replay-ratio"];

    /// <param name="given">Flags given on the command line, by long name.</param>
    /// <exception cref="SettingsException">naming the first flag the request cannot carry.</exception>
    public static void RequireCarried(IReadOnlySet<string> given, IReadOnlySet<string> trainingFlags, bool dqn)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(trainingFlags);
        if (TrainingSettingsSchema.NotCarried(given.Order(StringComparer.Ordinal)) is { } notCarried)
        {
            throw new SettingsException(notCarried, "the job API does not carry this setting; leave it out of a submitted job (train and cluster take it)");
        }

        if (dqn)
        {
            var training = trainingFlags.Where(given.Contains).Except(DqnFlags).Order(StringComparer.Ordinal).FirstOrDefault();
            if (training is not null)
            {
                throw new SettingsException(training, "is a supervised training setting and does not apply to a DQN job (--dqn-env); leave it out");
            }
        }
        else
        {
            var dqnOnly = DqnOnlyFlags.FirstOrDefault(given.Contains);
            if (dqnOnly is not null)
            {
                throw new SettingsException(dqnOnly, "applies to DQN jobs only: add --dqn-env cartpole|acrobot|mountaincar, or leave it out");
            }
        }
    }

    /// <summary>A note for a job that asks for more workers than are registered now; null when there are enough.</summary>
    public static string? WorkerShortage(int requested, int registered) =>
        requested <= registered
            ? null
            : $"note: only {registered} worker{(registered == 1 ? " is" : "s are")} registered with the coordinator and this job needs {requested}: " +
              "it stays queued until enough worker nodes join (and fails if none come within the coordinator's wait). " +
              $"Start more worker nodes, or submit with --workers {Math.Max(1, registered)}";
}
