namespace ClusterTrainer.Models;

/// <summary>
/// The keys of the samples a model's next training forward pass sees (see <see cref="Core.DropoutMask"/>), set by
/// whoever runs the pass. One instance is shared by a replica's models (the float32 one and its bf16 copy).
/// </summary>
/// <remarks>Not thread-safe: it belongs to the replica's step thread, like the replica.</remarks>
public sealed class DropoutKeys
{
    private long[]? _current;

    /// <summary>The keys of the batch about to be computed, one per sample, in batch order.</summary>
    public void Set(long[] keys) => _current = keys ?? throw new ArgumentNullException(nameof(keys));

    /// <summary>The keys for a batch of <paramref name="rows"/> samples.</summary>
    /// <exception cref="InvalidOperationException">when none were set, or for another number of samples.</exception>
    public long[] For(long rows)
    {
        if (_current is null)
        {
            throw new InvalidOperationException("a model with dropout trained without sample keys: set them (DropoutKeys.Set) before the forward pass");
        }

        if (_current.Length != rows)
        {
            throw new InvalidOperationException($"the dropout keys are for {_current.Length} samples, but the batch has {rows}");
        }

        return _current;
    }
}
