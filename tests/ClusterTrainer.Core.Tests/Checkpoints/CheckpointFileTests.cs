using System.Buffers.Binary;
using ClusterTrainer.Core.Checkpoints;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Core.Tests.Checkpoints;

/// <summary>A checkpoint reads back as written, and each way a file can be unusable is refused with its own named error.</summary>
public sealed class CheckpointFileTests : IDisposable
{
    private static readonly TrainingSettings Settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Epochs = 3, Seed = 4 };
    private readonly string _run = Directory.CreateTempSubdirectory("checkpoint-").FullName;

    [Fact]
    public void A_checkpoint_should_read_back_exactly_as_written()
    {
        var written = Sample(sequence: 75);
        var path = new CheckpointStore(_run).Write(written);
        var read = CheckpointFile.Read(path, Settings);
        Assert.Equal(written.State, read.State);
        Assert.Equal(written.Position.Sequence, read.Position.Sequence);
        Assert.Equal(written.Position.EpochLossSum, read.Position.EpochLossSum);
        Assert.Equal(written.Position.Metrics, read.Position.Metrics);
        Assert.Equal(written.Position.Membership, read.Position.Membership);
        Assert.Equal(written.Position.ParameterChecksum, read.Position.ParameterChecksum);
    }

    [Fact]
    public void A_truncated_file_should_be_refused_as_truncated()
    {
        var path = new CheckpointStore(_run).Write(Sample(10));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var error = Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path, Settings));
        Assert.Equal(CheckpointProblem.Truncated, error.Problem);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flipped_bit_should_be_refused_as_corrupt()
    {
        var path = new CheckpointStore(_run).Write(Sample(10));
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length - 200] ^= 0x04;
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path, Settings));
        Assert.Equal(CheckpointProblem.Corrupt, error.Problem);
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_format_version_should_be_refused_naming_both_versions()
    {
        var path = new CheckpointStore(_run).Write(Sample(10));
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), CheckpointFile.FormatVersion + 1);
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path, Settings));
        Assert.Equal(CheckpointProblem.WrongVersion, error.Problem);
        Assert.Contains($"format version {CheckpointFile.FormatVersion + 1}, this build reads version {CheckpointFile.FormatVersion}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_settings_should_be_refused_naming_the_setting_that_differs()
    {
        var path = new CheckpointStore(_run).Write(Sample(10));
        var error = Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path, Settings with { LearningRate = 0.1 }));
        Assert.Equal(CheckpointProblem.WrongSettings, error.Problem);
        Assert.Contains("learning_rate: 0.001 in the checkpoint, 0.1 here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void How_the_job_is_spread_should_not_count_as_other_settings()
    {
        var path = new CheckpointStore(_run).Write(Sample(10));
        var read = CheckpointFile.Read(path, Settings with { Workers = 3, Threads = 1, Shards = 2, CheckpointEvery = 7 });
        Assert.Equal(10, read.Position.Sequence);
    }

    [Fact]
    public void A_file_that_is_no_checkpoint_should_be_refused_as_such()
    {
        var path = Path.Combine(_run, "model.bin");
        File.WriteAllText(path, "{ \"not\": \"a checkpoint\" }");
        var error = Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path, Settings));
        Assert.Equal(CheckpointProblem.NotACheckpoint, error.Problem);
    }

    [Fact]
    public void The_store_should_keep_the_newest_two_and_resume_from_the_newest_good_one()
    {
        var store = new CheckpointStore(_run);
        store.Write(Sample(10));
        store.Write(Sample(20));
        var newest = store.Write(Sample(30));
        Assert.Equal(["step-0000000030.ckpt", "step-0000000020.ckpt"], store.Files().Select(Path.GetFileName));

        var bytes = File.ReadAllBytes(newest);
        bytes[40] ^= 0xFF;
        File.WriteAllBytes(newest, bytes);
        var skipped = new List<CheckpointException>();
        var loaded = store.LoadLatest(Settings, skipped.Add);
        Assert.Equal(20, loaded.Position.Sequence);
        Assert.Equal(CheckpointProblem.Corrupt, Assert.Single(skipped).Problem);
    }

    [Fact]
    public void A_run_without_checkpoints_should_say_so()
    {
        var error = Assert.Throws<CheckpointException>(() => new CheckpointStore(_run).LoadLatest(Settings));
        Assert.Equal(CheckpointProblem.Missing, error.Problem);
        Assert.Contains("before its first checkpoint", error.Message, StringComparison.Ordinal);
    }

    private static Checkpoint Sample(long sequence)
    {
        var state = new byte[5000];
        new Random((int)sequence).NextBytes(state);
        return new Checkpoint(
            new CheckpointPosition
            {
                Settings = Settings,
                Sequence = sequence,
                Epoch = 2,
                Step = 15,
                EpochLossSum = 123.456789012345,
                EpochSamples = 1500,
                SamplesDone = 7500,
                TrainSeconds = 12.5,
                Metrics = [new EpochMetrics(1, 0.9, 0.8, 0.7, 1000)],
                ParameterChecksum = "0123456789abcdef",
                Workers = 2,
                Membership = [new MembershipChange(5, "node-1", "lost", "killed", 1, 2.5)],
                CreatedUtc = DateTimeOffset.UnixEpoch,
            },
            state);
    }

    public void Dispose() => Directory.Delete(_run, recursive: true);
}
