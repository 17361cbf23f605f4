namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// The bytes of one ring all-reduce call, both ways: a call header, then the schedule's segments. Reduce-scatter bytes
/// land in a scratch chunk and are added into the buffer as whole elements (floats or int64s) arrive; all-gather bytes are final sums and
/// land in the buffer itself. A segment received at step s is the one sent at step s + 1 (see <see cref="RingSchedule"/>),
/// so the sender may forward exactly the bytes of it that are already final: that is what pipelines the ring.
/// </summary>
internal sealed class RingAllReduceCall : IRingOutgoing, IRingIncoming
{
    private const int HeaderStep = -1;

    private readonly RingSchedule _schedule;
    private readonly RingVector _vector;
    private readonly byte[] _scratch;

    // The scratch bytes used: a whole number of elements.
    private readonly int _scratchLength;
    private readonly int _chunkBytes;
    private readonly long _call;
    private readonly Func<string, string, string> _describeLeft;
    private readonly byte[] _sendHeader = new byte[RingCallHeader.Bytes];
    private readonly byte[] _receiveHeader = new byte[RingCallHeader.Bytes];

    private int _sendStep = HeaderStep;
    private int _sent;

    private int _receiveStep = HeaderStep;
    private int _received;

    // Of the segment being received: the bytes that are final (summed, or landed), and where the scratch chunk starts.
    private int _finalBytes;
    private int _scratchStart;
    private int _scratchBytes;

    /// <param name="scratch">At least one element; its length (in whole elements) is the unit in which reduce-scatter bytes are summed.</param>
    /// <param name="describeLeft">Words an error about the left neighbour (phase, what happened).</param>
    public RingAllReduceCall(RingSchedule schedule, RingVector vector, byte[] scratch, int chunkBytes, long call, Func<string, string, string> describeLeft)
    {
        _schedule = schedule;
        _vector = vector;
        _scratch = scratch;
        _scratchLength = scratch.Length - (scratch.Length % vector.ElementBytes);
        if (_scratchLength == 0)
        {
            throw new ArgumentException($"the scratch chunk of {scratch.Length} bytes holds no {vector.ElementBytes}-byte element", nameof(scratch));
        }

        _chunkBytes = chunkBytes;
        _call = call;
        _describeLeft = describeLeft;
        RingCallHeader.Write(_sendHeader, call, vector.Length, vector.ElementBytes);
    }

    bool IRingOutgoing.Done => _sendStep == _schedule.EndStep;

    bool IRingIncoming.Done => _receiveStep == _schedule.EndStep;

    string IRingOutgoing.Phase => Describe(_sendStep);

    string IRingIncoming.Phase => Describe(_receiveStep);

    ReadOnlySpan<byte> IRingOutgoing.Next()
    {
        if (_sendStep == HeaderStep)
        {
            return _sendHeader.AsSpan(_sent);
        }

        var segment = SegmentBytes(_schedule.SendSegment(_sendStep));
        // A call's first step sends what this rank holds already: its gradient, or (all-gather) the segment it reduced.
        var ready = _sendStep == _schedule.FirstStep ? segment.Length : FinalBytesOf(_sendStep - 1, segment.Length);
        return segment[_sent..Math.Min(ready, _sent + _chunkBytes)];
    }

    void IRingOutgoing.Advance(int sent)
    {
        _sent += sent;
        if (_sent < SendLength(_sendStep))
        {
            return;
        }

        // Empty segments (buffers shorter than the world) have nothing to send: skip them.
        do
        {
            _sendStep = _sendStep == HeaderStep ? _schedule.FirstStep : _sendStep + 1;
            _sent = 0;
        }
        while (_sendStep < _schedule.EndStep && SendLength(_sendStep) == 0);
    }

    Span<byte> IRingIncoming.Next()
    {
        if (_receiveStep == HeaderStep)
        {
            return _receiveHeader.AsSpan(_received);
        }

        var segment = SegmentBytes(_schedule.ReceiveSegment(_receiveStep));
        if (!_schedule.IsReduceStep(_receiveStep))
        {
            return segment[_received..Math.Min(segment.Length, _received + _chunkBytes)];
        }

        return _scratch.AsSpan(_scratchBytes, Math.Min(_scratchLength, _scratchBytes + (segment.Length - _received)) - _scratchBytes);
    }

    void IRingIncoming.Advance(int received)
    {
        _received += received;
        if (_receiveStep == HeaderStep)
        {
            if (_received == RingCallHeader.Bytes)
            {
                var mismatch = RingCallHeader.Check(_receiveHeader, _call, _vector.Length, _schedule.Rank, _vector.ElementBytes);
                if (mismatch is not null)
                {
                    throw new ExchangeFailedException(_describeLeft(Describe(HeaderStep), mismatch));
                }

                NextReceiveStep();
            }

            return;
        }

        if (_schedule.IsReduceStep(_receiveStep))
        {
            AddArrivedElements(received);
        }
        else
        {
            _finalBytes = _received;
        }

        if (_received == ReceiveLength(_receiveStep))
        {
            NextReceiveStep();
        }
    }

    private void AddArrivedElements(int received)
    {
        var size = _vector.ElementBytes;
        var (offset, _) = _schedule.Segment(_schedule.ReceiveSegment(_receiveStep));
        var summed = (_finalBytes - _scratchStart) / size;
        _scratchBytes += received;
        var arrived = _scratchBytes / size;
        var start = _scratchStart / size;
        _vector.AddInto(offset + start + summed, _scratch.AsSpan(summed * size, (arrived - summed) * size));
        _finalBytes = _scratchStart + (arrived * size);
        if (_scratchBytes == _scratchLength)
        {
            _scratchStart = _finalBytes;
            _scratchBytes = 0;
        }
    }

    private void NextReceiveStep()
    {
        do
        {
            _receiveStep = _receiveStep == HeaderStep ? _schedule.FirstStep : _receiveStep + 1;
            _received = 0;
            _finalBytes = 0;
            _scratchStart = 0;
            _scratchBytes = 0;
        }
        while (_receiveStep < _schedule.EndStep && ReceiveLength(_receiveStep) == 0);
    }

    /// <summary>How much of the segment received at <paramref name="step"/> is final and may be forwarded.</summary>
    private int FinalBytesOf(int step, int length) =>
        _receiveStep > step ? length : _receiveStep == step ? _finalBytes : 0;

    private Span<byte> SegmentBytes(int segment)
    {
        var (offset, count) = _schedule.Segment(segment);
        return _vector.Bytes(offset, count);
    }

    private int SendLength(int step) =>
        step == HeaderStep ? RingCallHeader.Bytes : _schedule.Segment(_schedule.SendSegment(step)).Count * _vector.ElementBytes;

    private int ReceiveLength(int step) =>
        step == HeaderStep ? RingCallHeader.Bytes : _schedule.Segment(_schedule.ReceiveSegment(step)).Count * _vector.ElementBytes;

    private string Describe(int step) => step == HeaderStep ? "the call header" : step == _schedule.EndStep ? "the end of the call" : _schedule.Describe(step);
}
