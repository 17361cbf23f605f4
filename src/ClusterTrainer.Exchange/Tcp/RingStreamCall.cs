namespace ClusterTrainer.Exchange.Tcp;

/// <summary>
/// A call that only streams: a call header, then a number of bytes to the right while as many arrive from the left,
/// with no reduction and no order between the two. It measures what the ring's links move at once, which is what a
/// bandwidth-optimal all-reduce at best achieves on them (<see cref="TcpRingExchange.Stream"/>).
/// </summary>
internal sealed class RingStreamCall(int bytes, byte[] scratch, long call, int rank, Func<string, string, string> describeLeft) : IRingOutgoing, IRingIncoming
{
    private const string HeaderPhase = "the call header";
    private const string DataPhase = "the stream";

    private readonly byte[] _sendHeader = Header(call, bytes);
    private readonly byte[] _receiveHeader = new byte[RingCallHeader.Bytes];
    private int _sent = -RingCallHeader.Bytes;
    private int _received = -RingCallHeader.Bytes;

    bool IRingOutgoing.Done => _sent == bytes;

    bool IRingIncoming.Done => _received == bytes;

    string IRingOutgoing.Phase => _sent < 0 ? HeaderPhase : DataPhase;

    string IRingIncoming.Phase => _received < 0 ? HeaderPhase : DataPhase;

    ReadOnlySpan<byte> IRingOutgoing.Next() =>
        _sent < 0 ? _sendHeader.AsSpan(RingCallHeader.Bytes + _sent) : scratch.AsSpan(0, Math.Min(scratch.Length, bytes - _sent));

    void IRingOutgoing.Advance(int sent) => _sent += sent;

    Span<byte> IRingIncoming.Next() =>
        _received < 0 ? _receiveHeader.AsSpan(RingCallHeader.Bytes + _received) : scratch.AsSpan(0, Math.Min(scratch.Length, bytes - _received));

    void IRingIncoming.Advance(int received)
    {
        var header = _received < 0;
        _received += received;
        if (header && _received == 0 && RingCallHeader.Check(_receiveHeader, call, bytes, rank) is { } mismatch)
        {
            throw new ExchangeFailedException(describeLeft(HeaderPhase, mismatch));
        }
    }

    private static byte[] Header(long call, int bytes)
    {
        var header = new byte[RingCallHeader.Bytes];
        RingCallHeader.Write(header, call, bytes);
        return header;
    }
}
