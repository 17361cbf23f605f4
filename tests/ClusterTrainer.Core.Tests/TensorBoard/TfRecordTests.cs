using System.Buffers.Binary;
using System.Text;
using ClusterTrainer.Core.Outputs.TensorBoard;

namespace ClusterTrainer.Core.Tests.TensorBoard;

public sealed class TfRecordTests
{
    [Theory]
    // The CRC-32C check value, and the iSCSI test vectors of RFC 3720, appendix B.4.
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("zeros", 0x8A9136AAu)]
    [InlineData("ones", 0x62A8AB43u)]
    [InlineData("ascending", 0x46DD794Eu)]
    public void Should_compute_crc32c_as_the_published_vectors_say(string input, uint expected)
    {
        var bytes = input switch
        {
            "zeros" => new byte[32],
            "ones" => Enumerable.Repeat((byte)0xFF, 32).ToArray(),
            "ascending" => Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
            _ => Encoding.ASCII.GetBytes(input),
        };

        Assert.Equal(expected, TfRecord.Crc32C(bytes));
    }

    [Fact]
    public void Should_mask_a_crc_by_rotating_it_15_bits_right_and_adding_the_tfrecord_constant()
    {
        // An empty input has CRC 0, so its masked CRC is the constant itself.
        Assert.Equal(0xa282ead8u, TfRecord.MaskedCrc32C([]));
        var crc = TfRecord.Crc32C("123456789"u8);
        Assert.Equal(unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u), TfRecord.MaskedCrc32C("123456789"u8));
    }

    [Fact]
    public void Should_frame_a_record_as_length_crc_of_length_data_crc_of_data()
    {
        var data = "hello, tensorboard"u8.ToArray();
        using var stream = new MemoryStream();

        TfRecord.Write(stream, data);

        var bytes = stream.ToArray();
        Assert.Equal(8 + 4 + data.Length + 4, bytes.Length);
        Assert.Equal((ulong)data.Length, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Equal(TfRecord.MaskedCrc32C(bytes.AsSpan(0, 8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(data, bytes[12..^4]);
        Assert.Equal(TfRecord.MaskedCrc32C(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)));
    }

    [Fact]
    public void Should_read_back_every_record_and_leave_out_a_torn_last_one()
    {
        using var stream = new MemoryStream();
        TfRecord.Write(stream, "first"u8);
        TfRecord.Write(stream, []);
        TfRecord.Write(stream, "third record"u8);
        var whole = stream.ToArray();

        var records = TfRecord.ReadAll(whole);
        var torn = TfRecord.ReadAll(whole.AsSpan(0, whole.Length - 3));

        Assert.Equal(["first", "", "third record"], records.Select(r => Encoding.ASCII.GetString(r)));
        Assert.Equal(["first", ""], torn.Select(r => Encoding.ASCII.GetString(r)));
    }

    [Fact]
    public void Should_refuse_a_record_whose_data_does_not_match_its_crc()
    {
        using var stream = new MemoryStream();
        TfRecord.Write(stream, "first"u8);
        TfRecord.Write(stream, "second"u8);
        var bytes = stream.ToArray();
        bytes[^6] ^= 0x01; // a bit of the second record's data

        var error = Assert.Throws<InvalidDataException>(() => TfRecord.ReadAll(bytes));

        Assert.Contains("record at byte 21", error.Message, StringComparison.Ordinal);
    }
}
