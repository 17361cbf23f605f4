using ClusterTrainer.Core;
using ClusterTrainer.Core.Checkpoints;
using ClusterTrainer.Core.Outputs;

namespace ClusterTrainer.Training.Tests.Elastic;

/// <summary>
/// `train` killed with SIGKILL in the middle of a run and continued with `train --resume`, through the real
/// executable: the same final parameter bits as the run that was never killed, and within 1e-5 with another worker
/// count; metrics.csv has each epoch once.
/// </summary>
public sealed class ResumeCliTests
{
    private const int Epochs = 8;
    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task A_run_killed_mid_epoch_and_resumed_should_end_with_the_bits_of_the_uninterrupted_run()
    {
        using var reference = new TempDirectory();
        using var killed = new TempDirectory();
        using var otherWorkers = new TempDirectory();
        // SGD with the cosine to zero over the whole run: another worker count rounds differently, and over 8 epochs Adam
        // grows that to 0.1 in a weight, SGD held at the base rate (the default schedule) to 6e-5; the last epochs' small
        // rates keep it within 1e-5. --deterministic is what makes any run equal.
        string[] job = ["--model", "mlp", "--optimizer", "sgd", "--lr-warmup", "0", "--lr-decay", "1", "--lr-floor", "0", "--data", "sample", "--epochs", $"{Epochs}", "--seed", "5", "--checkpoint-every", "20"];

        var (code, output) = await CliProcess.RunAsync(RunLimit, ["train", .. job, "--out", reference.Path]);
        Assert.True(code == 0, output);
        var expected = new RunDirectory(reference.Path).ReadSummary();

        // A checkpoint inside epoch 2 or later (60 steps an epoch), then SIGKILL: nothing gets to clean up.
        await KillAfterCheckpointAsync(["train", .. job, "--out", killed.Path], killed.Path, 80);
        CopyDirectory(killed.Path, otherWorkers.Path);

        (code, output) = await CliProcess.RunAsync(RunLimit, "train", "--resume", killed.Path);
        Assert.True(code == 0, output);
        Assert.Contains("resuming", output, StringComparison.Ordinal);
        var resumed = new RunDirectory(killed.Path).ReadSummary();
        Assert.Equal(expected.ParameterChecksum, resumed.ParameterChecksum);
        Assert.Equal(expected.Samples, resumed.Samples);
        Assert.Equal(expected.Steps, resumed.Steps);
        var epochs = File.ReadAllLines(Path.Combine(killed.Path, RunDirectory.MetricsFile)).Skip(1).Select(l => int.Parse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Enumerable.Range(1, Epochs), epochs);
        Assert.Equal("resumed", Assert.Single(resumed.Membership).Change);

        (code, output) = await CliProcess.RunAsync(RunLimit, "train", "--resume", otherWorkers.Path, "--workers", "2");
        Assert.True(code == 0, output);
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Optimizer = OptimizerKind.Sgd, LrWarmup = 0, LrDecay = 1, LrFloor = 0, Epochs = Epochs, Seed = 5, Data = "sample" };
        var difference = RunParameters.MaxDifference(RunParameters.Load(settings, reference.Path), RunParameters.Load(settings, otherWorkers.Path));
        Assert.True(difference <= 1e-5, $"max |difference| {difference:E3} between the run resumed with 2 workers and the uninterrupted 1-worker run");
        Assert.Equal(2, new RunDirectory(otherWorkers.Path).ReadSummary().Workers);
    }

    [Fact]
    public async Task A_deterministic_run_resumed_with_other_worker_counts_should_end_with_the_same_bits()
    {
        using var reference = new TempDirectory();
        using var killed = new TempDirectory();
        using var threeWorkers = new TempDirectory();
        string[] job = ["--model", "mlp", "--data", "sample", "--epochs", "3", "--seed", "6", "--deterministic", "--micro-batch", "25", "--checkpoint-every", "15"];

        var (code, output) = await CliProcess.RunAsync(RunLimit, ["train", .. job, "--out", reference.Path]);
        Assert.True(code == 0, output);
        var expected = new RunDirectory(reference.Path).ReadSummary().ParameterChecksum;

        await KillAfterCheckpointAsync(["train", .. job, "--out", killed.Path], killed.Path, 70);
        CopyDirectory(killed.Path, threeWorkers.Path);
        foreach (var (directory, workers) in new[] { (killed.Path, "2"), (threeWorkers.Path, "3") })
        {
            (code, output) = await CliProcess.RunAsync(RunLimit, "train", "--resume", directory, "--workers", workers);
            Assert.True(code == 0, output);
            Assert.Equal(expected, new RunDirectory(directory).ReadSummary().ParameterChecksum);
        }
    }

    [Fact]
    public async Task Resume_should_refuse_a_setting_that_would_change_the_run_and_a_run_without_checkpoints()
    {
        using var run = new TempDirectory();
        new RunDirectory(run.Path).WriteSettings(TrainingSettings.DefaultsFor(ModelKind.Mlp));

        var (code, output) = await CliProcess.RunAsync(RunLimit, "train", "--resume", run.Path, "--lr", "0.1");
        Assert.Equal(2, code);
        Assert.Contains("--lr: cannot be changed when resuming", output, StringComparison.Ordinal);

        (code, output) = await CliProcess.RunAsync(RunLimit, "train", "--resume", run.Path, "--workers", "2");
        Assert.Equal(2, code);
        Assert.Contains("bad checkpoint", output, StringComparison.Ordinal);
        Assert.Contains("before its first checkpoint", output, StringComparison.Ordinal);
    }

    /// <summary>Runs the command until a checkpoint at or past <paramref name="step"/> is in its run directory, then kills it with SIGKILL.</summary>
    private static async Task KillAfterCheckpointAsync(string[] command, string runDirectory, long step)
    {
        await using (var run = CliProcess.Start(command))
        {
            var store = new CheckpointStore(runDirectory);
            Assert.True(
                await Poll.UntilAsync(() => Task.FromResult(store.Files().Any(f => Sequence(f) >= step)), RunLimit),
                $"no checkpoint past step {step} appeared; output:\n{run.Output}");
            run.Process.Kill();
            await run.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.False(File.Exists(Path.Combine(runDirectory, RunDirectory.SummaryFile)), "the run finished before it was killed");
    }

    private static long Sequence(string checkpointFile) =>
        long.Parse(Path.GetFileNameWithoutExtension(checkpointFile)["step-".Length..], System.Globalization.CultureInfo.InvariantCulture);

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
