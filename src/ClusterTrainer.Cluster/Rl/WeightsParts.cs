namespace ClusterTrainer.Cluster.Rl;

/// <summary>
/// One slice of a <see cref="PolicyWeights"/> on its way to a collector host on another node: the default
/// network's 67,000 floats (270 kB) would exceed Akka.Remote's 128,000-byte frame and be dropped, so the
/// weights travel as parts of at most <see cref="WeightsSplitter.MaxFloatsPerPart"/> floats.
/// </summary>
public sealed record PolicyWeightsPart(string JobId, long Version, long Updates, int Part, int Parts, int Offset, int TotalLength, float[] Values);

/// <summary>Cuts weights into parts that each stay far under the remote frame.</summary>
public static class WeightsSplitter
{
    /// <summary>64,000 bytes of floats: half the default frame, leaving room for the header and any frame overhead.</summary>
    public const int MaxFloatsPerPart = 16_000;

    public static IReadOnlyList<PolicyWeightsPart> Split(string jobId, PolicyWeights weights, int maxFloatsPerPart = MaxFloatsPerPart)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFloatsPerPart, 1);
        var total = weights.Values.Length;
        var parts = Math.Max(1, (total + maxFloatsPerPart - 1) / maxFloatsPerPart);
        var result = new PolicyWeightsPart[parts];
        for (var i = 0; i < parts; i++)
        {
            var offset = i * maxFloatsPerPart;
            var length = Math.Min(maxFloatsPerPart, total - offset);
            result[i] = new PolicyWeightsPart(jobId, weights.Version, weights.Updates, i, parts, offset, total, weights.Values.AsSpan(offset, length).ToArray());
        }

        return result;
    }
}

/// <summary>
/// Puts parts back together on the receiving node, one version at a time. Only newer weights matter to a
/// collector, so a part of a version older than the newest seen is dropped, and a newer version arriving
/// before an older one is complete abandons the older one. Parts of one version may come in any order;
/// duplicates are ignored.
/// </summary>
public sealed class WeightsAssembler
{
    private long _assembling = -1;
    private float[]? _buffer;
    private bool[]? _received;
    private int _missing;
    private long _updates;

    /// <summary>The newest version handed out whole; -1 before the first.</summary>
    public long CompletedVersion { get; private set; } = -1;

    /// <summary>The whole weights when this part completes a version, otherwise null.</summary>
    /// <exception cref="ArgumentException">when the part contradicts itself or the other parts of its version.</exception>
    public PolicyWeights? Add(PolicyWeightsPart part)
    {
        ArgumentNullException.ThrowIfNull(part);
        if (part.Parts < 1 || part.Part < 0 || part.Part >= part.Parts || part.Offset < 0 || part.TotalLength < 0 || (long)part.Offset + part.Values.Length > part.TotalLength)
        {
            throw new ArgumentException($"weights part {part.Part} of {part.Parts} (offset {part.Offset}, {part.Values.Length} floats) does not fit {part.TotalLength} floats", nameof(part));
        }

        if (part.Version <= CompletedVersion || part.Version < _assembling)
        {
            return null;
        }

        if (part.Version > _assembling || _buffer is null)
        {
            _assembling = part.Version;
            _buffer = new float[part.TotalLength];
            _received = new bool[part.Parts];
            _missing = part.Parts;
            _updates = part.Updates;
        }
        else if (_buffer.Length != part.TotalLength || _received!.Length != part.Parts)
        {
            throw new ArgumentException($"weights part {part.Part} of version {part.Version} says {part.Parts} parts of {part.TotalLength} floats; its earlier parts said {_received!.Length} of {_buffer.Length}", nameof(part));
        }

        if (_received![part.Part])
        {
            return null;
        }

        part.Values.CopyTo(_buffer, part.Offset);
        _received[part.Part] = true;
        if (--_missing > 0)
        {
            return null;
        }

        var whole = new PolicyWeights(_assembling, _updates, _buffer);
        CompletedVersion = _assembling;
        _buffer = null;
        _received = null;
        return whole;
    }
}
