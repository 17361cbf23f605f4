namespace ClusterTrainer.Cluster.Rl;

/// <summary>Play <paramref name="Episodes"/> greedy episodes with these weights, starting from <paramref name="Seed"/>.</summary>
public sealed record EvaluatePolicy(long RequestId, float[] Weights, int Episodes, int Seed);

public sealed record PolicyEvaluated(long RequestId, double MeanReturn, double[] Returns);

public sealed record EvaluationFailed(long RequestId, string Reason);
