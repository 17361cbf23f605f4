using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Models;

/// <summary>
/// Everything a replica's next step depends on: its parameters and its optimizer's state. Replicas that hold equal
/// states compute bitwise-equal steps, which is what makes a checkpoint, a restored job and a joining worker exact.
/// </summary>
public sealed record ReplicaState(float[] Parameters, OptimizerState Optimizer)
{
    private const int HeaderBytes = 16;

    /// <summary>Little-endian bytes: update count (int64), parameter count, optimizer value count (int32 each), then the floats.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[HeaderBytes + (4 * (Parameters.Length + Optimizer.Values.Length))];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, Optimizer.Steps);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), Parameters.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), Optimizer.Values.Length);
        WriteFloats(Parameters, bytes.AsSpan(HeaderBytes));
        WriteFloats(Optimizer.Values, bytes.AsSpan(HeaderBytes + (4 * Parameters.Length)));
        return bytes;
    }

    /// <exception cref="InvalidDataException">when the bytes are not a state of <paramref name="parameterCount"/> parameters and <paramref name="optimizerLength"/> optimizer values.</exception>
    public static ReplicaState FromBytes(ReadOnlySpan<byte> bytes, int parameterCount, int optimizerLength)
    {
        if (bytes.Length < HeaderBytes)
        {
            throw new InvalidDataException($"a replica state needs at least {HeaderBytes} bytes, got {bytes.Length}");
        }

        var steps = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var parameters = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        var values = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        if (parameters != parameterCount || values != optimizerLength || bytes.Length != HeaderBytes + (4L * (parameters + (long)values)))
        {
            throw new InvalidDataException(
                $"the state holds {parameters} parameters and {values} optimizer values in {bytes.Length} bytes; this model has {parameterCount} and {optimizerLength}");
        }

        var body = bytes[HeaderBytes..];
        return new ReplicaState(
            ReadFloats(body[..(4 * parameters)]),
            new OptimizerState(steps, ReadFloats(body[(4 * parameters)..])));
    }

    /// <summary>
    /// The state as int64 words for an exact broadcast through an integer all-reduce: the source contributes these,
    /// every other rank zeros, and integer addition of zeros gives back the very bits (a float sum would turn -0 into +0).
    /// </summary>
    public static long[] PackWords(ReadOnlySpan<byte> stateBytes)
    {
        var words = new long[(stateBytes.Length + 7) / 8];
        stateBytes.CopyTo(MemoryMarshal.AsBytes(words.AsSpan()));
        return words;
    }

    /// <summary>The first <paramref name="length"/> bytes held by <paramref name="words"/> (see <see cref="PackWords"/>).</summary>
    public static byte[] UnpackWords(long[] words, int length) => MemoryMarshal.AsBytes(words.AsSpan())[..length].ToArray();

    /// <summary>How many bytes <see cref="ToBytes"/> gives for these counts: what every rank of a broadcast must agree on.</summary>
    public static int ByteLength(int parameterCount, int optimizerLength) => checked(HeaderBytes + (4 * (parameterCount + optimizerLength)));

    private static void WriteFloats(float[] values, Span<byte> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(destination);
            return;
        }

        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], values[i]);
        }
    }

    private static float[] ReadFloats(ReadOnlySpan<byte> source)
    {
        var values = new float[source.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
        }

        return values;
    }
}
