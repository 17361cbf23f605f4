namespace ClusterTrainer.Core.Checkpoints;

/// <summary>
/// One change of a job's workers, as summary.json records it: at which global step, which worker (its node), what
/// happened ("lost", "joined", "resumed") and why, and how many workers the job had after it.
/// </summary>
public sealed record MembershipChange(long Sequence, string Worker, string Change, string Reason, int Workers, double RecoverySeconds);
