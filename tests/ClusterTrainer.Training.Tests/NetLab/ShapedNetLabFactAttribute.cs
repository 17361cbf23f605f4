using ClusterTrainer.Cli.NetLab;

namespace ClusterTrainer.Training.Tests.NetLab;

/// <summary>
/// A test that needs links shaped to a rate (`bench --exchange --netlab`, tests/netlab/netlab.sh): skipped, saying what
/// is missing, where there is no root, no iproute2 or no tc tbf in the kernel.
/// </summary>
public sealed class ShapedNetLabFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Reason = new(LinkLab.ShapingUnavailable);

    public ShapedNetLabFactAttribute()
    {
        if (Reason.Value is { } reason)
        {
            Skip = $"needs a network lab with shaped links: {reason}";
        }
    }
}
