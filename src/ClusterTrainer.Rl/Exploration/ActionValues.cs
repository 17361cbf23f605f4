namespace ClusterTrainer.Rl.Exploration;

public static class ActionValues
{
    /// <summary>
    /// The index of the largest value; ties go to the lowest index, as numpy's and torch's argmax do,
    /// so this reference and the tensor code pick the same action.
    /// </summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("Cannot take the argmax of no values.", nameof(values));
        }

        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
