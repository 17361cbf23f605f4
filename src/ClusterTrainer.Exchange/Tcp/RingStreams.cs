namespace ClusterTrainer.Exchange.Tcp;

/// <summary>What a rank sends to its right neighbour during one call, in order.</summary>
internal interface IRingOutgoing
{
    bool Done { get; }

    /// <summary>The phase the next bytes belong to, for error messages.</summary>
    string Phase { get; }

    /// <summary>The bytes that may be sent now; empty while they wait for bytes still to be received.</summary>
    ReadOnlySpan<byte> Next();

    void Advance(int sent);
}

/// <summary>What a rank receives from its left neighbour during one call, in order.</summary>
internal interface IRingIncoming
{
    bool Done { get; }

    string Phase { get; }

    /// <summary>Where the next bytes go; never empty before <see cref="Done"/>.</summary>
    Span<byte> Next();

    /// <summary>Takes in <paramref name="received"/> bytes that landed at the start of the last <see cref="Next"/>.</summary>
    void Advance(int received);
}
