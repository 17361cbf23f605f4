using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace ClusterTrainer.Data;

/// <summary>
/// Turns an IDX stream, gzipped or not, into its dimensions and raw bytes, checking every claim the
/// header makes before trusting it. Only unsigned-byte data is supported because that is all MNIST-style
/// sets use, and it lets the bytes go into a <see cref="Dataset"/> without conversion.
/// </summary>
internal static class IdxDecoder
{
    private const byte UnsignedByte = 0x08;

    // Growing the buffer as data arrives, instead of allocating what the header claims, means a
    // corrupt or hostile header costs at most the memory of the data that is really there.
    private const int FirstChunk = 16 * 1024 * 1024;

    public static (int[] Dimensions, byte[] Data) Read(Stream source, string name, int expectedDimensions, string layout)
    {
        ArgumentNullException.ThrowIfNull(source);
        var seekable = source.CanSeek ? source : CopyToMemory(source);
        var compressed = StartsWithGzipMagic(seekable);
        try
        {
            using var decoded = compressed ? new GZipStream(seekable, CompressionMode.Decompress, leaveOpen: true) : null;
            return ReadDecoded(decoded ?? seekable, name, expectedDimensions, layout, compressed);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(name, $"is not valid gzip data ({e.Message}); the file is damaged or only partly downloaded, download it again.", e);
        }
    }

    private static (int[] Dimensions, byte[] Data) ReadDecoded(Stream stream, string name, int expectedDimensions, string layout, bool compressed)
    {
        var where = compressed ? " (after decompression)" : string.Empty;
        var start = new byte[4];
        var got = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        if (got == 0)
        {
            throw new DataFormatException(name, "is empty; expected an IDX file" + where + ".");
        }

        if (got < start.Length)
        {
            throw Truncated(name, got, start.Length, where);
        }

        if (start[0] != 0 || start[1] != 0)
        {
            throw new DataFormatException(name, $"is not an IDX file: it starts with {start[0]:x2} {start[1]:x2}{where}, but IDX files start with 00 00. Pass the MNIST-format files (such as train-images-idx3-ubyte.gz) themselves.");
        }

        if (start[2] != UnsignedByte)
        {
            throw new DataFormatException(name, $"has element type 0x{start[2]:X2} ({ElementTypeName(start[2])}); only 0x08 (unsigned byte), the type MNIST-style image sets use, is supported.");
        }

        if (start[3] != expectedDimensions)
        {
            throw new DataFormatException(name, $"has {start[3]} dimension(s), but {layout}; check that the images and labels files were not swapped.");
        }

        var headerLength = 4 + (4 * expectedDimensions);
        var sizeBytes = new byte[4 * expectedDimensions];
        got = stream.ReadAtLeast(sizeBytes, sizeBytes.Length, throwOnEndOfStream: false);
        if (got < sizeBytes.Length)
        {
            throw Truncated(name, 4 + got, headerLength, where);
        }

        var dimensions = new int[expectedDimensions];
        long dataLength = 1;
        for (var i = 0; i < expectedDimensions; i++)
        {
            var size = BinaryPrimitives.ReadUInt32BigEndian(sizeBytes.AsSpan(4 * i));
            if (size == 0)
            {
                throw new DataFormatException(name, $"has size 0 in dimension {i + 1} of its header ({layout}); the file holds no data.");
            }

            // Checked per step so even three sizes near 2^32 cannot overflow the product.
            dataLength *= size;
            if (dataLength > Array.MaxLength)
            {
                throw new DataFormatException(name, $"has a header claiming {DescribeSizes(sizeBytes, expectedDimensions)} bytes of data, more than one array can hold; the header is corrupt.");
            }

            dimensions[i] = (int)size;
        }

        var expectedTotal = headerLength + dataLength;
        if (!compressed && stream.CanSeek && stream.Length - stream.Position < dataLength)
        {
            throw Truncated(name, headerLength + (stream.Length - stream.Position), expectedTotal, where);
        }

        var data = ReadBody(stream, (int)dataLength, name, headerLength, where);
        if (stream.ReadByte() != -1)
        {
            throw new DataFormatException(name, $"has more data than its header describes ({expectedTotal} bytes{where}); the header or the file is wrong.");
        }

        return (dimensions, data);
    }

    private static byte[] ReadBody(Stream stream, int length, string name, int headerLength, string where)
    {
        var buffer = new byte[Math.Min(length, FirstChunk)];
        var filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(length, 2L * buffer.Length));
            }

            var read = stream.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                throw Truncated(name, headerLength + filled, headerLength + (long)length, where);
            }

            filled += read;
        }

        return buffer;
    }

    private static DataFormatException Truncated(string name, long endsAt, long expected, string where) =>
        new(name, string.Create(CultureInfo.InvariantCulture, $"is truncated at byte {endsAt}: expected {expected} bytes{where}. The file is incomplete; download it again."));

    private static bool StartsWithGzipMagic(Stream stream)
    {
        var position = stream.Position;
        Span<byte> magic = stackalloc byte[2];
        var got = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        stream.Position = position;
        return got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    private static MemoryStream CopyToMemory(Stream source)
    {
        var copy = new MemoryStream();
        source.CopyTo(copy);
        copy.Position = 0;
        return copy;
    }

    private static string DescribeSizes(byte[] sizeBytes, int count) =>
        string.Join(" × ", Enumerable.Range(0, count).Select(i => BinaryPrimitives.ReadUInt32BigEndian(sizeBytes.AsSpan(4 * i)).ToString(CultureInfo.InvariantCulture)));

    private static string ElementTypeName(byte type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "16-bit integer",
        0x0C => "32-bit integer",
        0x0D => "32-bit float",
        0x0E => "64-bit float",
        _ => "not a defined IDX type",
    };
}
