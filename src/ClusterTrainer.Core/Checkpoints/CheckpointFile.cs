using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Core.Checkpoints;

/// <summary>
/// The checkpoint file: magic, format version, the position as JSON, the replica state, and a SHA-256 of all of it,
/// so that a cut, damaged, foreign or outdated file is refused by name instead of loaded into a job.
/// </summary>
/// <remarks>
/// Layout, little-endian: 8 bytes magic, int32 format version, int32 JSON length, the JSON, int64 state length, the
/// state, 32 bytes SHA-256 over everything before it.
/// </remarks>
public static class CheckpointFile
{
    public const int FormatVersion = 1;

    private const int HashBytes = 32;
    private static readonly byte[] Magic = "CTCKPT\r\n"u8.ToArray();

    public static byte[] Encode(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var json = Encoding.UTF8.GetBytes(RunJson.Serialize(checkpoint.Position));
        var length = Magic.Length + 4 + 4 + json.Length + 8 + checkpoint.State.Length;
        var bytes = new byte[length + HashBytes];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], json.Length);
        json.CopyTo(span[16..]);
        BinaryPrimitives.WriteInt64LittleEndian(span[(16 + json.Length)..], checkpoint.State.Length);
        checkpoint.State.CopyTo(span[(24 + json.Length)..]);
        SHA256.HashData(span[..length], span[length..]);
        return bytes;
    }

    /// <summary>Reads and checks a checkpoint file.</summary>
    /// <param name="expected">The settings of the job that would load it; null to skip that check.</param>
    /// <exception cref="CheckpointException">naming the file and what is wrong.</exception>
    public static Checkpoint Read(string path, TrainingSettings? expected)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw new CheckpointException(CheckpointProblem.Missing, path, "the file does not exist");
        }

        return Decode(bytes, path, expected);
    }

    /// <exception cref="CheckpointException">naming <paramref name="path"/> and what is wrong.</exception>
    public static Checkpoint Decode(ReadOnlySpan<byte> bytes, string path, TrainingSettings? expected)
    {
        if (bytes.Length < Magic.Length || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw new CheckpointException(CheckpointProblem.NotACheckpoint, path,
                bytes.Length < Magic.Length ? $"{bytes.Length} bytes, too short for a checkpoint header" : "it does not start with a ClusterTrainer checkpoint's magic bytes");
        }

        if (bytes.Length < 16)
        {
            throw Truncated(path, bytes.Length, 16 + HashBytes);
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        if (version != FormatVersion)
        {
            throw new CheckpointException(CheckpointProblem.WrongVersion, path,
                $"format version {version}, this build reads version {FormatVersion}: resume it with the build that wrote it, or start the run again");
        }

        var jsonLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        if (jsonLength < 0 || bytes.Length < 24L + jsonLength)
        {
            throw Truncated(path, bytes.Length, 24L + Math.Max(0, jsonLength) + HashBytes);
        }

        var stateLength = BinaryPrimitives.ReadInt64LittleEndian(bytes[(16 + jsonLength)..]);
        var expectedLength = 24L + jsonLength + stateLength + HashBytes;
        if (stateLength < 0 || bytes.Length < expectedLength)
        {
            throw Truncated(path, bytes.Length, expectedLength);
        }

        if (bytes.Length > expectedLength)
        {
            throw new CheckpointException(CheckpointProblem.Corrupt, path, $"{bytes.Length - expectedLength} bytes after its end");
        }

        var body = bytes[..(int)(expectedLength - HashBytes)];
        Span<byte> hash = stackalloc byte[HashBytes];
        SHA256.HashData(body, hash);
        if (!hash.SequenceEqual(bytes[body.Length..]))
        {
            throw new CheckpointException(CheckpointProblem.Corrupt, path,
                "its SHA-256 does not match its contents: the file was damaged or changed after it was written");
        }

        CheckpointPosition position;
        try
        {
            position = JsonSerializer.Deserialize<CheckpointPosition>(body.Slice(16, jsonLength), RunJson.Options)
                ?? throw new JsonException("empty position");
        }
        catch (JsonException error)
        {
            throw new CheckpointException(CheckpointProblem.Corrupt, path, $"its position record is not readable ({error.Message})");
        }

        if (expected is not null && CheckpointSettings.Differences(position.Settings, expected) is { Count: > 0 } differences)
        {
            throw new CheckpointException(CheckpointProblem.WrongSettings, path,
                $"it was written for a job with other settings ({string.Join("; ", differences)}); resume with the run's own settings");
        }

        return new Checkpoint(position, body.Slice(24 + jsonLength, (int)stateLength).ToArray());
    }

    private static CheckpointException Truncated(string path, long length, long needed) =>
        new(CheckpointProblem.Truncated, path, $"{length} bytes, but its header needs {needed}: the write never finished or the copy was cut short");
}
