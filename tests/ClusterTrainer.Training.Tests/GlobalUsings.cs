global using Xunit;

// Tensor work uses both cores; tests running side by side would only slow each other down and make
// threading settings interfere.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
