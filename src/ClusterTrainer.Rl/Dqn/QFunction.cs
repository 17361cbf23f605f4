namespace ClusterTrainer.Rl.Dqn;

/// <summary>
/// Q values for a batch of observations: <paramref name="observations"/> is flat, row-major
/// (rows x observation size); the result is rows x actions. The pure RL code acts through this
/// delegate, so it runs with a tensor network, a hand-written controller in a test, or a network on
/// another node alike.
/// </summary>
public delegate float[] QFunction(float[] observations, int rows);
