namespace ClusterTrainer.Data.Tests;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Should_read_images_and_labels_into_a_byte_dataset(bool gzipped)
    {
        var images = IdxBytes.Images(3, 2, 4);
        var labels = IdxBytes.Labels(7, 0, 9);
        var suffix = gzipped ? ".gz" : string.Empty;
        var imagesPath = temp.Write("images" + suffix, gzipped ? IdxBytes.Gzip(images) : images);
        var labelsPath = temp.Write("labels" + suffix, gzipped ? IdxBytes.Gzip(labels) : labels);

        var data = IdxReader.ReadPair(imagesPath, labelsPath, "tiny");

        Assert.Equal("tiny", data.Name);
        Assert.Equal(SampleEncoding.Bytes, data.Encoding);
        Assert.Equal([1, 2, 4], data.SampleShape);
        Assert.Equal(IdxBytes.Pixels(3 * 2 * 4), data.Bytes);
        Assert.Equal([7, 0, 9], data.Labels);
        Assert.Equal(10, data.ClassCount);
    }

    [Fact]
    public void Should_detect_gzip_by_its_magic_bytes_not_by_the_file_name()
    {
        var imagesPath = temp.Write("images-without-suffix", IdxBytes.Gzip(IdxBytes.Images(2, 1, 1)));
        var labelsPath = temp.Write("labels-already-decompressed.gz", IdxBytes.Labels(4, 5));

        var data = IdxReader.ReadPair(imagesPath, labelsPath, "named oddly");

        Assert.Equal(2, data.Count);
        Assert.Equal([4, 5], data.Labels);
    }

    [Fact]
    public void Should_read_from_a_stream_that_cannot_seek()
    {
        using var stream = new ForwardOnlyStream(IdxBytes.Gzip(IdxBytes.Images(2, 3, 3)));

        var images = IdxReader.ReadImages(stream, "piped");

        Assert.Equal((2, 3, 3), (images.Count, images.Rows, images.Columns));
        Assert.Equal(IdxBytes.Pixels(18), images.Pixels);
    }

    [Theory]
    [InlineData(false, "")]
    [InlineData(true, " (after decompression)")]
    public void Should_report_truncation_with_byte_offset(bool gzipped, string where)
    {
        var whole = IdxBytes.Images(3, 2, 3);
        var cut = whole[..30];
        var path = temp.Write("cut-images", gzipped ? IdxBytes.Gzip(cut) : cut);

        var error = ReadImagesFails(path);

        Assert.Contains($"truncated at byte 30: expected 34 bytes{where}", error.Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Should_report_a_partly_downloaded_gzip_file(double keptShare)
    {
        var whole = IdxBytes.Gzip(IdxBytes.Images(40, 10, 10));
        var path = temp.Write("partial.gz", whole[..(int)(whole.Length * keptShare)]);

        var error = ReadImagesFails(path);

        Assert.Matches("truncated at byte|not valid gzip data", error.Message);
    }

    [Fact]
    public void Should_report_truncation_inside_the_header()
    {
        var path = temp.Write("short-header", IdxBytes.Images(3, 2, 3)[..9]);

        var error = ReadImagesFails(path);

        Assert.Contains("truncated at byte 9: expected 16 bytes", error.Message);
    }

    [Fact]
    public void Should_report_an_empty_file()
    {
        var path = temp.Write("empty", []);

        var error = ReadImagesFails(path);

        Assert.Contains("is empty", error.Message);
    }

    [Fact]
    public void Should_report_data_beyond_what_the_header_describes()
    {
        var path = temp.Write("long-images", [.. IdxBytes.Images(2, 2, 2), 0xAA]);

        var error = ReadImagesFails(path);

        Assert.Contains("more data than its header describes (24 bytes)", error.Message);
    }

    [Fact]
    public void Should_reject_a_wrong_magic_number()
    {
        byte[] contents = [0x12, 0x34, .. IdxBytes.Images(1, 1, 1)[2..]];
        var path = temp.Write("not-idx", contents);

        var error = ReadImagesFails(path);

        Assert.Contains("is not an IDX file: it starts with 12 34", error.Message);
    }

    [Fact]
    public void Should_reject_element_types_other_than_unsigned_byte()
    {
        byte[] floats = [.. IdxBytes.Header(0x0D, 1, 1, 1), 0, 0, 0x80, 0x3F];
        var path = temp.Write("float-images", floats);

        var error = ReadImagesFails(path);

        Assert.Contains("element type 0x0D (32-bit float); only 0x08 (unsigned byte)", error.Message);
    }

    [Fact]
    public void Should_reject_a_label_file_given_as_images()
    {
        var path = temp.Write("labels-as-images", IdxBytes.Labels(1, 2, 3));

        var error = ReadImagesFails(path);

        Assert.Contains("has 1 dimension(s), but an image file has 3", error.Message);
    }

    [Fact]
    public void Should_reject_an_image_file_given_as_labels()
    {
        var path = temp.Write("images-as-labels", IdxBytes.Images(1, 2, 2));
        using var stream = File.OpenRead(path);

        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(stream, path));

        Assert.Contains("has 3 dimension(s), but a label file has 1", error.Message);
        Assert.Equal(path, error.FilePath);
    }

    [Fact]
    public void Should_report_image_and_label_count_mismatch()
    {
        var imagesPath = temp.Write("images", IdxBytes.Images(6000, 1, 1));
        var labelsPath = temp.Write("labels", IdxBytes.CyclicLabels(5999));

        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadPair(imagesPath, labelsPath, "mismatch"));

        Assert.Contains("6000 images but 5999 labels", error.Message);
        Assert.Contains(labelsPath, error.Message);
        Assert.Equal(labelsPath, error.FilePath);
    }

    [Fact]
    public void Should_report_a_label_out_of_range_with_its_index()
    {
        var labels = Enumerable.Repeat(3, 50).ToArray();
        labels[42] = 11;
        var path = temp.Write("bad-labels", IdxBytes.Labels(labels));
        using var stream = File.OpenRead(path);

        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(stream, path));

        Assert.Contains("label 11 at index 42 is outside 0-9", error.Message);
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    public void Should_give_a_named_error_for_random_bytes(int seed, bool startsLikeGzip)
    {
        var contents = new byte[4096];
        new Random(seed).NextBytes(contents);
        if (startsLikeGzip)
        {
            contents[0] = 0x1f;
            contents[1] = 0x8b;
        }

        var path = temp.Write($"noise-{seed}", contents);

        ReadImagesFails(path);
    }

    [Fact]
    public void Should_reject_absurd_sizes_in_the_header_before_allocating()
    {
        byte[] contents = [.. IdxBytes.Header(0x08, 4_000_000_000, 28, 28), 1, 2, 3];
        var path = temp.Write("huge-claim", contents);

        var error = ReadImagesFails(path);

        Assert.Contains("4000000000 × 28 × 28", error.Message);
        Assert.Contains("header is corrupt", error.Message);
    }

    [Fact]
    public void Should_not_allocate_what_a_gzipped_header_claims_before_the_data_arrives()
    {
        byte[] contents = [.. IdxBytes.Header(0x08, 2_000_000_000, 1, 1), 1, 2, 3];
        var path = temp.Write("big-claim.gz", IdxBytes.Gzip(contents));
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = ReadImagesFails(path);

        Assert.Contains("truncated at byte 19: expected 2000000016 bytes", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100_000_000, "reading allocated the claimed 2 GB");
    }

    [Fact]
    public void Should_report_a_missing_file_as_not_found()
    {
        var missing = Path.Combine(temp.Path, "absent-images.gz");
        var labelsPath = temp.Write("labels", IdxBytes.Labels(1));

        var error = Assert.Throws<DataNotFoundException>(() => IdxReader.ReadPair(missing, labelsPath, "absent"));

        Assert.Equal(missing, error.Path);
        Assert.Contains(missing, error.Message);
    }

    private static DataFormatException ReadImagesFails(string path)
    {
        using var stream = File.OpenRead(path);
        var error = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(stream, path));
        Assert.Equal(path, error.FilePath);
        Assert.Contains(Path.GetFileName(path), error.Message);
        return error;
    }
}
