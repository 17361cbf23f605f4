namespace ClusterTrainer.Data;

/// <summary>Facts about Fashion-MNIST that its IDX files do not carry.</summary>
public static class FashionMnist
{
    /// <summary>Class names by label, as Zalando Research documents them.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ];
}
