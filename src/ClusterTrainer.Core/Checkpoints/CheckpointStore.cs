using System.Globalization;

namespace ClusterTrainer.Core.Checkpoints;

/// <summary>
/// A run's checkpoints: checkpoints/step-NNNNNNNNNN.ckpt in the run directory, written atomically, the newest two
/// kept (so a checkpoint damaged on disk still leaves one to resume from).
/// </summary>
public sealed class CheckpointStore(string runDirectory)
{
    public const int Kept = 2;

    public string Directory { get; } = Path.Combine(Path.GetFullPath(runDirectory), "checkpoints");

    /// <summary>Writes the checkpoint and removes all but the newest <see cref="Kept"/>; returns its path.</summary>
    public string Write(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var path = Path.Combine(Directory, string.Create(CultureInfo.InvariantCulture, $"step-{checkpoint.Position.Sequence:D10}.ckpt"));
        AtomicFile.WriteAllBytes(path, CheckpointFile.Encode(checkpoint));
        foreach (var old in Files().Skip(Kept))
        {
            File.Delete(old);
        }

        return path;
    }

    /// <summary>The checkpoint files, newest first.</summary>
    public IReadOnlyList<string> Files() =>
        System.IO.Directory.Exists(Directory)
            ? [.. System.IO.Directory.GetFiles(Directory, "step-*.ckpt").OrderByDescending(f => Path.GetFileName(f), StringComparer.Ordinal)]
            : [];

    /// <summary>Whether the run has written a checkpoint yet (a job without one starts again from the beginning).</summary>
    public bool HasCheckpoints => Files().Count > 0;

    /// <summary>
    /// The newest checkpoint that reads and matches <paramref name="expected"/>; an unusable newer one is reported
    /// through <paramref name="skipped"/> and the next older is tried.
    /// </summary>
    /// <exception cref="CheckpointException">when none is usable: naming each file and its problem, or that there is none.</exception>
    public Checkpoint LoadLatest(TrainingSettings expected, Action<CheckpointException>? skipped = null)
    {
        var errors = new List<CheckpointException>();
        foreach (var file in Files())
        {
            try
            {
                return CheckpointFile.Read(file, expected);
            }
            catch (CheckpointException error)
            {
                errors.Add(error);
                skipped?.Invoke(error);
            }
        }

        if (errors.Count == 0)
        {
            throw new CheckpointException(CheckpointProblem.Missing, Directory,
                "the run stopped before its first checkpoint (one is written at each epoch's end, or every --checkpoint-every steps); start the run again");
        }

        throw errors.Count == 1
            ? errors[0]
            : new CheckpointException(errors[0].Problem, Directory, "no usable checkpoint: " + string.Join(" | ", errors.Select(e => e.Message)));
    }
}
