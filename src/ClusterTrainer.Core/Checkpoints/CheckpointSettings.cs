using System.Text.Json.Nodes;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Core.Checkpoints;

/// <summary>
/// Which settings a checkpoint binds. Everything that decides the computed numbers must match; how the job is spread
/// (workers, their threads, shards) and how often it checks itself may differ, because the global batch, the epoch
/// plan and the optimizer step do not depend on them.
/// </summary>
public static class CheckpointSettings
{
    private static readonly HashSet<string> Free = new(StringComparer.Ordinal)
    {
        "workers", "threads", "shards", "checksum_every", "checkpoint_every", "min_workers", "max_workers", "device", "exchange_staging",
    };

    /// <summary>"name: A in the checkpoint, B here" for each bound setting that differs; empty when they agree.</summary>
    public static IReadOnlyList<string> Differences(TrainingSettings inCheckpoint, TrainingSettings here)
    {
        var a = JsonNode.Parse(RunJson.Serialize(inCheckpoint))!.AsObject();
        var b = JsonNode.Parse(RunJson.Serialize(here))!.AsObject();
        return a.Select(p => p.Key).Union(b.Select(p => p.Key))
            .Where(key => !Free.Contains(key))
            .Select(key => (Key: key, A: a[key]?.ToJsonString() ?? "null", B: b[key]?.ToJsonString() ?? "null"))
            .Where(d => d.A != d.B)
            .Select(d => $"{d.Key}: {d.A} in the checkpoint, {d.B} here")
            .ToList();
    }
}
