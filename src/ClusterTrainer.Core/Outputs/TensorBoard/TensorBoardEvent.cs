using Google.Protobuf;

namespace ClusterTrainer.Core.Outputs.TensorBoard;

/// <summary>
/// Encodes the two kinds of TensorBoard `Event` protocol buffer a run writes: the file version that opens every event
/// file, and a summary of scalars. Field numbers are those of TensorFlow's tensorflow/core/util/event.proto and
/// tensorflow/core/framework/summary.proto; only these few fields are needed, so they are written directly instead
/// of generating code for the whole schema.
/// </summary>
public static class TensorBoardEvent
{
    /// <summary>The version TensorBoard expects in the first event of a file.</summary>
    public const string FileVersion = "brain.Event:2";

    // Event
    private const int WallTimeField = 1;   // double
    private const int StepField = 2;       // int64
    private const int FileVersionField = 3; // string (oneof what)
    private const int SummaryField = 5;    // Summary (oneof what)

    // Summary
    private const int ValueField = 1;      // repeated Summary.Value

    // Summary.Value
    private const int TagField = 1;        // string
    private const int SimpleValueField = 2; // float (oneof value)

    public static byte[] FileVersionEvent(double wallTime) =>
        Encode(output =>
        {
            WriteHeader(output, wallTime, step: 0);
            output.WriteTag(FileVersionField, WireFormat.WireType.LengthDelimited);
            output.WriteString(FileVersion);
        });

    /// <summary>One event holding every scalar of one step: TensorBoard plots each tag as its own series.</summary>
    public static byte[] ScalarsEvent(double wallTime, long step, IReadOnlyList<(string Tag, double Value)> scalars)
    {
        ArgumentNullException.ThrowIfNull(scalars);
        var values = scalars.Select(s => Encode(output =>
        {
            output.WriteTag(TagField, WireFormat.WireType.LengthDelimited);
            output.WriteString(s.Tag);
            output.WriteTag(SimpleValueField, WireFormat.WireType.Fixed32);
            output.WriteFloat((float)s.Value);
        })).ToArray();
        var summary = Encode(output =>
        {
            foreach (var value in values)
            {
                output.WriteTag(ValueField, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(value));
            }
        });
        return Encode(output =>
        {
            WriteHeader(output, wallTime, step);
            output.WriteTag(SummaryField, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(summary));
        });
    }

    private static void WriteHeader(CodedOutputStream output, double wallTime, long step)
    {
        output.WriteTag(WallTimeField, WireFormat.WireType.Fixed64);
        output.WriteDouble(wallTime);
        if (step != 0)
        {
            output.WriteTag(StepField, WireFormat.WireType.Varint);
            output.WriteInt64(step);
        }
    }

    private static byte[] Encode(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return buffer.ToArray();
    }
}
