using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Core.Tests;

/// <summary>Files that are not what they claim get a sentence naming the file (issue 15, item 5).</summary>
public sealed class RunFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("runfiles-").FullName;

    [Fact]
    public void Settings_of_the_other_kind_of_run_should_be_refused_naming_the_command_that_reads_them()
    {
        var path = Path.Combine(_root, "settings.json");
        var supervised = RunJson.Serialize(new TrainingSettings());
        var dqn = """{ "environment": "cartpole", "collectors": 2 }""";
        Assert.Equal(RunKind.Supervised, RunKinds.Detect(supervised));
        Assert.Equal(RunKind.Dqn, RunKinds.Detect(dqn));
        Assert.Equal(RunKind.Unknown, RunKinds.Detect("not json"));

        Assert.Contains("clustertrainer evaluate --run", Assert.Throws<InvalidDataException>(() => RunKinds.Require(RunKind.Dqn, path, supervised)).Message, StringComparison.Ordinal);
        Assert.Contains("clustertrainer play --run", Assert.Throws<InvalidDataException>(() => RunKinds.Require(RunKind.Supervised, path, dqn)).Message, StringComparison.Ordinal);
        RunKinds.Require(RunKind.Supervised, path, supervised);
    }

    [Fact]
    public void An_empty_model_file_should_be_named_without_trying_to_load_it()
    {
        var model = Path.Combine(_root, "model.bin");
        File.WriteAllBytes(model, []);
        var loaded = false;
        var error = Assert.Throws<InvalidDataException>(() => SavedModel.Load(model, "mlp", _ => loaded = true));
        Assert.False(loaded);
        Assert.StartsWith(model, error.Message, StringComparison.Ordinal);
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("end")]
    [InlineData("shape")]
    [InlineData("native")]
    public void What_the_loader_throws_should_become_one_sentence_naming_the_file(string failure)
    {
        var model = Path.Combine(_root, "model.bin");
        File.WriteAllBytes(model, [1, 2, 3]);
        Exception thrown = failure switch
        {
            "end" => new EndOfStreamException("Attempted to read past the end of the stream."),
            "shape" => new ArgumentException("Mismatched state_dict sizes: expected 6, but found 8"),
            _ => new InvalidOperationException("DefaultCPUAllocator: can't allocate memory\nException raised from allocate at alloc_cpu.cpp:127\nframe #0: c10::Error"),
        };
        var error = Assert.Throws<InvalidDataException>(() => SavedModel.Load(model, "mlp (hidden 256,256) that settings.json describes", _ => throw thrown));
        Assert.StartsWith(model, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("frame #", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Same(thrown, error.InnerException);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
