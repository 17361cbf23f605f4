namespace ClusterTrainer.Rl.Environments;

/// <summary>The environments available by name.</summary>
public static class EnvironmentCatalog
{
    public static IReadOnlyList<EnvironmentSpec> All { get; } =
    [
        new("cartpole", "CartPole-v1", 475, () => new CartPole()),
        new("acrobot", "Acrobot-v1", -100, () => new Acrobot()),
        new("mountaincar", "MountainCar-v0", -110, () => new MountainCar()),
    ];

    /// <summary>Finds a spec by its short name, ignoring case.</summary>
    public static EnvironmentSpec Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var spec in All)
        {
            if (string.Equals(spec.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return spec;
            }
        }

        var valid = string.Join(", ", All.Select(spec => spec.Name));
        throw new ArgumentException($"Unknown environment '{name}'. Valid names: {valid}.", nameof(name));
    }

    public static IEnvironment Create(string name) => Get(name).Create();
}
