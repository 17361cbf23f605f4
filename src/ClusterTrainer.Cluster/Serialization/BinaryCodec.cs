using System.Runtime.InteropServices;
using Akka.Actor;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Cluster.Serialization;

/// <summary>Reading and writing of the field types our messages use, in one compact binary layout.</summary>
internal static class BinaryCodec
{
    public static void WriteString(this BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null)
        {
            writer.Write(value);
        }
    }

    public static string? ReadNullableString(this BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;

    public static string ReadRequiredString(this BinaryReader reader) =>
        reader.ReadNullableString() ?? throw new InvalidDataException("a required string is missing");

    public static void WriteInts(this BinaryWriter writer, ReadOnlySpan<int> values) => writer.WriteValues(values);

    public static int[] ReadInts(this BinaryReader reader) => reader.ReadValues<int>();

    public static void WriteLongs(this BinaryWriter writer, ReadOnlySpan<long> values) => writer.WriteValues(values);

    public static long[] ReadLongs(this BinaryReader reader) => reader.ReadValues<long>();

    public static void WriteFloats(this BinaryWriter writer, ReadOnlySpan<float> values) => writer.WriteValues(values);

    public static float[] ReadFloats(this BinaryReader reader) => reader.ReadValues<float>();

    public static void WriteDoubles(this BinaryWriter writer, ReadOnlySpan<double> values) => writer.WriteValues(values);

    public static double[] ReadDoubles(this BinaryReader reader) => reader.ReadValues<double>();

    /// <summary>An array of plain numbers: its length, then its bytes as they lie in memory (every node is little-endian x64).</summary>
    private static void WriteValues<T>(this BinaryWriter writer, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        writer.Write(values.Length);
        writer.Write(MemoryMarshal.AsBytes(values));
    }

    private static T[] ReadValues<T>(this BinaryReader reader)
        where T : unmanaged
    {
        var values = new T[ReadLength(reader, System.Runtime.CompilerServices.Unsafe.SizeOf<T>())];
        reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    public static void WriteBools(this BinaryWriter writer, IReadOnlyList<bool> values)
    {
        writer.Write(values.Count);
        foreach (var value in values)
        {
            writer.Write(value);
        }
    }

    public static bool[] ReadBools(this BinaryReader reader)
    {
        var values = new bool[ReadLength(reader, 1)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadByte() != 0;
        }

        return values;
    }

    public static void WriteBytes(this BinaryWriter writer, byte[] values)
    {
        writer.Write(values.Length);
        writer.Write(values);
    }

    public static byte[] ReadBytes(this BinaryReader reader)
    {
        var values = new byte[ReadLength(reader, 1)];
        reader.BaseStream.ReadExactly(values);
        return values;
    }

    public static void WriteStrings(this BinaryWriter writer, IReadOnlyList<string> values)
    {
        writer.Write(values.Count);
        foreach (var value in values)
        {
            writer.Write(value);
        }
    }

    public static string[] ReadStrings(this BinaryReader reader)
    {
        var values = new string[ReadLength(reader, 1)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadString();
        }

        return values;
    }

    public static void WriteActorRef(this BinaryWriter writer, IActorRef actor) =>
        writer.Write(Akka.Serialization.Serialization.SerializedActorPath(actor));

    public static IActorRef ReadActorRef(this BinaryReader reader, ExtendedActorSystem system) =>
        system.Provider.ResolveActorRef(reader.ReadString());

    public static void WriteActorRefs(this BinaryWriter writer, IReadOnlyList<IActorRef> actors)
    {
        writer.Write(actors.Count);
        foreach (var actor in actors)
        {
            writer.WriteActorRef(actor);
        }
    }

    public static IActorRef[] ReadActorRefs(this BinaryReader reader, ExtendedActorSystem system)
    {
        var actors = new IActorRef[ReadLength(reader, 1)];
        for (var i = 0; i < actors.Length; i++)
        {
            actors[i] = reader.ReadActorRef(system);
        }

        return actors;
    }

    /// <summary>Settings and summaries travel as their canonical JSON (the same text written next to a run).</summary>
    public static void WriteJson<T>(this BinaryWriter writer, T value) => writer.Write(RunJson.Serialize(value));

    public static T ReadJson<T>(this BinaryReader reader) => RunJson.Deserialize<T>(reader.ReadString(), typeof(T).Name);

    private static int ReadLength(BinaryReader reader, int elementSize)
    {
        var length = reader.ReadInt32();
        var remaining = reader.BaseStream.Length - reader.BaseStream.Position;
        if (length < 0 || (long)length * elementSize > remaining)
        {
            throw new InvalidDataException($"array of {length} elements does not fit in the {remaining} bytes left of the message");
        }

        return length;
    }
}
