using System.Text.Json.Serialization;

namespace ClusterTrainer.Cli.Benchmarks;

/// <summary>One measured configuration: the median of its repetitions, and its ratio to the plain loop.</summary>
public sealed record BenchmarkRow(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("workers")] int Workers,
    [property: JsonPropertyName("threads_per_worker")] int ThreadsPerWorker,
    [property: JsonPropertyName("samples_per_second")] double SamplesPerSecond,
    [property: JsonPropertyName("repetitions")] IReadOnlyList<double> Repetitions,
    [property: JsonPropertyName("ratio_to_plain_loop")] double RatioToPlainLoop);

public sealed record BenchmarkReport(
    [property: JsonPropertyName("benchmark")] string Benchmark,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("samples_per_run")] int SamplesPerRun,
    [property: JsonPropertyName("batch_size")] int BatchSize,
    [property: JsonPropertyName("cores")] int Cores,
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("rows")] IReadOnlyList<BenchmarkRow> Rows);
