namespace ClusterTrainer.Cluster.Rl;

/// <summary>The learner built its networks; these are the weights every collector starts from.</summary>
public sealed record LearnerReady(float[] InitialWeights);

/// <summary>Start pulling batches; publish weights to <paramref name="Subscribers"/> (collectors, coordinator).</summary>
public sealed record StartLearning(IReadOnlyList<Akka.Actor.IActorRef> Subscribers);

/// <summary>The online network's parameters after <paramref name="Updates"/> gradient updates, flat.</summary>
public sealed record PolicyWeights(long Version, long Updates, float[] Values);

public sealed record LearnerProgressed(long Updates, double MeanLoss);

/// <summary>Every update the replay ratio owes is done.</summary>
public sealed record LearningFinished(long Updates, float[] FinalWeights);

public sealed record LearnerFailed(string Reason);
