using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// What one ring call reduces, seen as bytes on the wire: float32 gradients (summed in float), int64 fixed-point
/// values (summed exactly) or bfloat16 gradients (summed in float, each partial sum rounded back to bfloat16). The
/// ring's schedule and pipelining are the same for all three; only the element and its addition differ.
/// </summary>
internal abstract class RingVector
{
    /// <summary>Elements (not bytes).</summary>
    public abstract int Length { get; }

    public abstract int ElementBytes { get; }

    /// <summary>The schedule of a call on this vector: a slice of a gradient keeps the segments of its whole buffer.</summary>
    public virtual RingSchedule ScheduleFor(int rank, int worldSize) => new(rank, worldSize, Length);

    /// <summary>Elements [offset, offset + count) as bytes, in place.</summary>
    public abstract Span<byte> Bytes(int offset, int count);

    /// <summary>Adds whole elements that arrived (little-endian bytes) into elements from <paramref name="offset"/> on.</summary>
    public abstract void AddInto(int offset, ReadOnlySpan<byte> addend);

    public static RingVector Of(GradientBuffer buffer) => new Floats(buffer);

    public static RingVector Of(long[] values) => new Elements<long>(values, Add);

    public static RingVector Of(Compact.Bf16Vector values) => new Elements<ushort>(values.Values, Compact.Bf16Vector.Add);

    /// <summary>Elements [offset, offset + count) as a vector of their own, summed the same way (a part of a two-level call).</summary>
    public abstract RingVector Part(int offset, int count);

    private static void Add<T>(Span<T> target, ReadOnlySpan<T> addend)
        where T : struct, INumber<T>
    {
        var wide = MemoryMarshal.Cast<T, Vector<T>>(target);
        var wideAddend = MemoryMarshal.Cast<T, Vector<T>>(addend);
        for (var i = 0; i < wide.Length; i++)
        {
            wide[i] += wideAddend[i];
        }

        for (var i = wide.Length * Vector<T>.Count; i < target.Length; i++)
        {
            target[i] += addend[i];
        }
    }

    private sealed class Floats(GradientBuffer buffer) : RingVector
    {
        public override int Length => buffer.Length;

        public override int ElementBytes => sizeof(float);

        // A whole buffer is its own whole (offset 0): the same segments as a plain schedule's.
        public override RingSchedule ScheduleFor(int rank, int worldSize) => new(rank, worldSize, Length, buffer.Offset, buffer.WholeLength);

        public override Span<byte> Bytes(int offset, int count) => MemoryMarshal.AsBytes(buffer.Span.Slice(offset, count));

        public override void AddInto(int offset, ReadOnlySpan<byte> addend)
        {
            var values = MemoryMarshal.Cast<byte, float>(addend);
            Add(buffer.Span.Slice(offset, values.Length), values);
        }

        public override RingVector Part(int offset, int count) => new Floats(buffer.Slice(offset, count));
    }

    private delegate void Adder<T>(Span<T> target, ReadOnlySpan<T> addend);

    /// <summary>An array of elements of one type and how two of them add: int64 exactly, bfloat16 rounded back.</summary>
    private sealed class Elements<T>(T[] values, Adder<T> add, int start = 0, int? length = null) : RingVector
        where T : unmanaged
    {
        public override int Length => length ?? values.Length;

        public override int ElementBytes => Unsafe.SizeOf<T>();

        public override Span<byte> Bytes(int offset, int count) => MemoryMarshal.AsBytes(values.AsSpan(start + offset, count));

        public override void AddInto(int offset, ReadOnlySpan<byte> addend)
        {
            var arrived = MemoryMarshal.Cast<byte, T>(addend);
            add(values.AsSpan(start + offset, arrived.Length), arrived);
        }

        public override RingVector Part(int offset, int count)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + count, Length, nameof(count));
            return new Elements<T>(values, add, start + offset, count);
        }
    }
}
