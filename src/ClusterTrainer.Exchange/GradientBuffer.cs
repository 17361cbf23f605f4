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

    private GradientBuffer(float* start, int length, object owner)
    {
        _start = start;
        Length = length;
        _owner = owner;
    }

    public int Length { get; }

    public Span<float> Span => new(_start, Length);

    public object Owner => _owner;

    /// <param name="owner">The object that owns the memory; it is kept alive with the buffer.</param>
    public static GradientBuffer FromPointer(IntPtr start, int length, object owner)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentNullException.ThrowIfNull(owner);
        return new GradientBuffer((float*)start, length, owner);
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
