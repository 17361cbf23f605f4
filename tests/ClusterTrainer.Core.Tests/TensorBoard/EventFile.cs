using ClusterTrainer.Core.Outputs.TensorBoard;
using Google.Protobuf;

namespace ClusterTrainer.Core.Tests.TensorBoard;

internal sealed record DecodedEvent(double WallTime, long Step, string? FileVersion, IReadOnlyDictionary<string, double> Scalars);

/// <summary>
/// Reads a directory's one event file back, through the framing (CRCs checked) and a decoder written here from the
/// field numbers of TensorFlow's event.proto and summary.proto, independently of the writer's encoder.
/// </summary>
internal static class EventFile
{
    public static IReadOnlyList<DecodedEvent> Read(string directory)
    {
        var path = Assert.Single(Directory.GetFiles(directory, TensorBoardWriter.FilePrefix + "*"));
        return TfRecord.ReadAll(File.ReadAllBytes(path)).Select(Decode).ToList();
    }

    private static DecodedEvent Decode(byte[] record)
    {
        var input = new CodedInputStream(record);
        double wallTime = 0;
        long step = 0;
        string? version = null;
        var scalars = new Dictionary<string, double>(StringComparer.Ordinal);
        while (input.ReadTag() is var tag and not 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: wallTime = input.ReadDouble(); break;
                case 2: step = input.ReadInt64(); break;
                case 3: version = input.ReadString(); break;
                case 5: ReadSummary(input.ReadBytes(), scalars); break;
                default: input.SkipLastField(); break;
            }
        }

        return new DecodedEvent(wallTime, step, version, scalars);
    }

    private static void ReadSummary(ByteString summary, Dictionary<string, double> scalars)
    {
        var input = summary.CreateCodedInput();
        while (input.ReadTag() is var tag and not 0)
        {
            Assert.Equal(1, WireFormat.GetTagFieldNumber(tag));
            var value = input.ReadBytes().CreateCodedInput();
            string? name = null;
            float? number = null;
            while (value.ReadTag() is var field and not 0)
            {
                switch (WireFormat.GetTagFieldNumber(field))
                {
                    case 1: name = value.ReadString(); break;
                    case 2: number = value.ReadFloat(); break;
                    default: value.SkipLastField(); break;
                }
            }

            scalars[name!] = number!.Value;
        }
    }
}
