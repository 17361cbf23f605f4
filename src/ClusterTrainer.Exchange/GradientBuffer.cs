namespace ClusterTrainer.Exchange;

/// <summary>
/// A flat float32 buffer at a fixed address: a replica's gradients (a tensor's storage) or a pinned array.
/// The in-process exchange reads and writes every member's buffer directly, so no gradient is copied.
/// </summary>
public sealed unsafe class GradientBuffer
{
    private readonly float* _start;

    // Keeps whatever owns the memory (a tensor, a pinned array) alive as long as the buffer is used.
    private readonly object _owner;

    private GradientBuffer(float* start, int length, object owner, int offset = 0, int? wholeLength = null)
    {
        _start = start;
        Length = length;
        _owner = owner;
        Offset = offset;
        WholeLength = wholeLength ?? length;
    }

    public int Length { get; }

    /// <summary>Where this buffer starts in the whole one it is a <see cref="Slice"/> of (0 for a whole buffer).</summary>
    public int Offset { get; }

    /// <summary>The length of the whole buffer this is a slice of (its own length for a whole buffer).</summary>
    public int WholeLength { get; }

    public Span<float> Span => new(_start, Length);

    public object Owner => _owner;

    /// <param name="owner">The object that owns the memory; it is kept alive with the buffer.</param>
    public static GradientBuffer FromPointer(IntPtr start, int length, object owner)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentNullException.ThrowIfNull(owner);
        return new GradientBuffer((float*)start, length, owner);
    }

    /// <summary>
    /// Elements [offset, offset + count) as a buffer of their own (a gradient bucket), which remembers where it sits in
    /// this one: the ring all-reduces a slice with the segment boundaries of the whole buffer, so each element is summed
    /// in the same order, and to the same bits, as when the whole buffer is reduced at once.
    /// </summary>
    public GradientBuffer Slice(int offset, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + count, Length, nameof(count));
        return new GradientBuffer(_start + offset, count, _owner, Offset + offset, WholeLength);
    }

    /// <summary>A buffer over a new array allocated on the pinned heap (so its address never moves).</summary>
    public static GradientBuffer Allocate(int length)
    {
        var array = GC.AllocateArray<float>(length, pinned: true);
        fixed (float* start = array)
        {
            return new GradientBuffer(start, length, array);
        }
    }
}
