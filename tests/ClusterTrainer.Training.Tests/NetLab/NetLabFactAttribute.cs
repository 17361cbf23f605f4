namespace ClusterTrainer.Training.Tests.NetLab;

/// <summary>A test that needs a <see cref="NetworkLab"/>: skipped, saying what is missing, where namespaces cannot be made.</summary>
public sealed class NetLabFactAttribute : FactAttribute
{
    public NetLabFactAttribute()
    {
        if (NetworkLab.Unavailable() is { } reason)
        {
            Skip = $"needs a network lab: {reason}";
        }
    }
}
