using System.Buffers.Binary;
using System.Numerics;

namespace ClusterTrainer.Core.Outputs.TensorBoard;

/// <summary>
/// TFRecord framing, the container of TensorBoard event files: each record is its length (uint64, little endian),
/// the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data. The checksums let a reader
/// tell a record cut short by a crash (or still being appended) from a whole one.
/// </summary>
public static class TfRecord
{
    private const int HeaderBytes = sizeof(ulong) + sizeof(uint);

    public static void Write(Stream stream, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[HeaderBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[sizeof(ulong)..], MaskedCrc32C(header[..sizeof(ulong)]));
        Span<byte> footer = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc32C(data));
        stream.Write(header);
        stream.Write(data);
        stream.Write(footer);
    }

    /// <summary>Every whole record of <paramref name="bytes"/>, in order; a torn last record is left out.</summary>
    /// <exception cref="InvalidDataException">A checksum does not match: the file is corrupt, not merely cut short.</exception>
    public static IReadOnlyList<byte[]> ReadAll(ReadOnlySpan<byte> bytes)
    {
        var records = new List<byte[]>();
        var offset = 0;
        while (bytes.Length - offset >= HeaderBytes)
        {
            var lengthBytes = bytes.Slice(offset, sizeof(ulong));
            var lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(offset + sizeof(ulong), sizeof(uint)));
            if (lengthCrc != MaskedCrc32C(lengthBytes))
            {
                throw new InvalidDataException($"record at byte {offset}: the CRC of its length does not match");
            }

            var length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (length > (ulong)(bytes.Length - offset - HeaderBytes - sizeof(uint)))
            {
                break;
            }

            var data = bytes.Slice(offset + HeaderBytes, (int)length);
            var dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(offset + HeaderBytes + (int)length, sizeof(uint)));
            if (dataCrc != MaskedCrc32C(data))
            {
                throw new InvalidDataException($"record at byte {offset}: the CRC of its {length} data bytes does not match");
            }

            records.Add(data.ToArray());
            offset += HeaderBytes + (int)length + sizeof(uint);
        }

        return records;
    }

    /// <summary>CRC-32C (Castagnoli), as TFRecord uses it: initial value and final XOR all ones.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    /// <summary>TFRecord stores a rotated and offset CRC, so that a CRC of data that itself holds CRCs stays strong.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }
}
