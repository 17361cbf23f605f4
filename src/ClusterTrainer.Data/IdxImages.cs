namespace ClusterTrainer.Data;

/// <summary>The contents of an IDX image file: <see cref="Count"/> images of Rows × Columns bytes, back to back.</summary>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels);
