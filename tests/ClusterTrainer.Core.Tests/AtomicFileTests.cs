namespace ClusterTrainer.Core.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("atomic-").FullName;

    [Fact]
    public void Should_replace_the_file_and_leave_no_temporary_behind()
    {
        var path = Path.Combine(_directory, "summary.json");
        AtomicFile.WriteAllText(path, "first");
        AtomicFile.WriteAllText(path, "second");
        Assert.Equal("second", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Should_keep_the_old_content_when_writing_fails_midway()
    {
        var path = Path.Combine(_directory, "metrics.csv");
        AtomicFile.WriteAllText(path, "complete");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half"u8);
            throw new InvalidOperationException("disk gone");
        }));
        Assert.Equal("complete", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Should_write_through_a_library_that_insists_on_a_path()
    {
        var path = Path.Combine(_directory, "plot.png");
        AtomicFile.WriteVia(path, temporary => File.WriteAllBytes(temporary, [1, 2, 3]));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
