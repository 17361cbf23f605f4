namespace ClusterTrainer.Exchange.Compact;

/// <summary>The gradient all-reduce with bfloat16 on the wire: round, sum as bfloat16, widen back into the buffer.</summary>
public static class Bf16GradientExchange
{
    /// <param name="wire">A reusable vector of the buffer's length.</param>
    public static void AllReduceSum(IGradientExchange exchange, GradientBuffer buffer, Bf16Vector wire, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentNullException.ThrowIfNull(wire);
        wire.Encode(buffer.Span);
        exchange.AllReduceSum(wire, cancellationToken);
        wire.Decode(buffer.Span);
    }
}
