using Akka.TestKit.Xunit2;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs.TensorBoard;
using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Training.Tests.Monitoring;

/// <summary>
/// The event files real runs write, read back through the TFRecord framing (every CRC checked) and decoded with
/// TorchSharp's code generated from TensorFlow's own event.proto: so the files are what TensorBoard reads.
/// </summary>
public sealed class TensorBoardRunTests : TestKit
{
    private sealed record Point(double WallTime, long Step, string Tag, float Value);

    private static (Tensorboard.Event Header, IReadOnlyList<Point> Points) Read(string directory)
    {
        var path = Assert.Single(Directory.GetFiles(directory, TensorBoardWriter.FilePrefix + "*"));
        var events = TfRecord.ReadAll(File.ReadAllBytes(path)).Select(record => Tensorboard.Event.Parser.ParseFrom(record)).ToList();
        var points = events.Skip(1)
            .SelectMany(e => e.Summary.Value.Select(v => new Point(e.WallTime, e.Step, v.Tag, v.SimpleValue)))
            .ToList();
        return (events[0], points);
    }

    private static double[] Values(IReadOnlyList<Point> points, string tag) => points.Where(p => p.Tag == tag).Select(p => (double)p.Value).ToArray();

    [Fact]
    public async Task A_training_run_should_write_loss_rate_throughput_and_every_epoch_row_for_tensorboard()
    {
        // 1,000 samples in batches of 100: 10 steps an epoch, so every step is a point.
        var settings = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Epochs = 3, BatchSize = 100, Workers = 2 };
        using var run = new TempDirectory();
        var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        var (summary, _, epochs) = await ClusterRun.TrainAsync(settings, TestData.Small(1000, 500), run.Path);
        var finished = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var (header, points) = Read(run.Path);

        Assert.Equal("brain.Event:2", header.FileVersion);
        Assert.All(points.Select(p => p.WallTime).Prepend(header.WallTime), t => Assert.InRange(t, started - 1, finished + 1));
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), points.Where(p => p.Tag == "train/loss").Select(p => p.Step));
        Assert.Equal(
            Enumerable.Range(0, 30).Select(s => (double)(float)LearningRateSchedule.At(settings, s, 30)),
            Values(points, "train/learning_rate"));
        Assert.All(Values(points, "train/samples_per_second"), rate => Assert.True(rate > 0));
        Assert.True(Values(points, "train/loss")[^1] < Values(points, "train/loss")[0], "the training loss did not fall");
        Assert.Equal([10L, 20, 30], points.Where(p => p.Tag == "epoch/test_accuracy").Select(p => p.Step));
        Assert.Equal([1.0, 2, 3], Values(points, "epoch/epoch"));
        Assert.Equal(epochs.Select(e => (double)(float)e.TestAccuracy), Values(points, "epoch/test_accuracy"));
        Assert.Equal(epochs.Select(e => (double)(float)e.TrainLoss), Values(points, "epoch/train_loss"));
        Assert.Equal(epochs.Select(e => (double)(float)e.TestLoss), Values(points, "epoch/test_loss"));
        Assert.Equal((float)summary.TestAccuracy, Values(points, "epoch/test_accuracy")[^1]);
    }

    [Fact]
    public async Task A_dqn_run_should_write_its_returns_for_tensorboard()
    {
        var settings = DqnSettings.DefaultsFor("cartpole") with { Steps = 3000, EvalInterval = 1000, EvalEpisodes = 5, FinalEvalEpisodes = 10, Seed = 5 };
        using var run = new TempDirectory();

        var result = await LocalDqnCluster.RunAsync(Sys, settings, Serilog.Core.Logger.None, tensorBoardDirectory: run.Path);
        var (header, points) = Read(run.Path);

        Assert.Equal("brain.Event:2", header.FileVersion);
        var meanReturns = points.Where(p => p.Tag == "dqn/train_mean_return_100").ToList();
        Assert.NotEmpty(meanReturns);
        Assert.Equal(meanReturns.Select(p => p.Step).Order(), meanReturns.Select(p => p.Step));
        Assert.Equal(result.Evaluations.Select(e => (double)(float)e.EvalMeanReturn), Values(points, "dqn/eval_mean_return"));
        Assert.Equal(result.Episodes.Select(e => (double)(float)e.Return), Values(points, "dqn/episode_return"));
        Assert.Equal(result.Episodes.Select(e => e.EnvStep), points.Where(p => p.Tag == "dqn/episode_return").Select(p => p.Step));
        Assert.Equal((float)result.FinalEvalMean, Assert.Single(Values(points, "dqn/final_eval_mean_return")));
    }
}
