using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Core.Outputs.TensorBoard;

namespace ClusterTrainer.Core.Tests.TensorBoard;

public sealed class TrainingEventLogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clustertrainer-tensorboard-").FullName;
    private readonly ManualClock _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Should_open_the_file_with_its_version_and_the_wall_time_in_unix_seconds()
    {
        using (new TrainingEventLog(_directory, stepsPerEpoch: 10, _clock))
        {
        }

        var first = EventFile.Read(_directory)[0];

        Assert.Equal(TensorBoardEvent.FileVersion, first.FileVersion);
        Assert.Equal(1_800_000_000, first.WallTime, 3);
    }

    [Fact]
    public void Should_write_about_fifty_points_an_epoch_with_the_mean_loss_and_rate_of_each_interval()
    {
        using (var log = new TrainingEventLog(_directory, stepsPerEpoch: 200, _clock))
        {
            log.EpochStarted();
            double lossSum = 0;
            for (var step = 1; step <= 200; step++)
            {
                _clock.Advance(TimeSpan.FromMilliseconds(10));
                lossSum += 64 * (1.0 / step);
                log.StepCompleted(step, step, lastOfEpoch: step == 200, lossSum, 64L * step, learningRate: 0.5 / step);
            }
        }

        var points = EventFile.Read(_directory).Where(e => e.Scalars.ContainsKey("train/loss")).ToList();

        // Every 4th step (200 / 50), and the epoch's last.
        Assert.Equal(Enumerable.Range(1, 50).Select(i => 4L * i), points.Select(p => p.Step));
        var second = points[1]; // steps 5..8
        Assert.Equal((1.0 / 5 + 1.0 / 6 + 1.0 / 7 + 1.0 / 8) / 4, second.Scalars["train/loss"], 6);
        Assert.Equal(0.5 / 8, second.Scalars["train/learning_rate"], 6);
        Assert.Equal(4 * 64 / 0.04, second.Scalars["train/samples_per_second"], 1);
    }

    [Fact]
    public void Should_write_the_epoch_rows_at_the_global_step_and_count_a_new_epoch_afresh()
    {
        using (var log = new TrainingEventLog(_directory, stepsPerEpoch: 3, _clock))
        {
            log.EpochStarted();
            log.StepCompleted(1, 1, false, 2.0, 10, 0.1);
            log.StepCompleted(2, 2, false, 3.0, 20, 0.1);
            log.StepCompleted(3, 3, true, 3.5, 25, 0.1);
            log.EpochFinished(3, new EpochMetrics(1, 0.14, 0.2, 0.875, 1234.5));
            log.EpochStarted();
            log.StepCompleted(4, 1, false, 1.0, 10, 0.05);
        }

        var events = EventFile.Read(_directory);
        var epoch = events.Single(e => e.Scalars.ContainsKey("epoch/test_accuracy"));
        var afterEpoch = events.Last(e => e.Scalars.ContainsKey("train/loss"));

        Assert.Equal(3, epoch.Step);
        Assert.Equal(0.875, epoch.Scalars["epoch/test_accuracy"], 6);
        Assert.Equal(1, epoch.Scalars["epoch/epoch"]);
        Assert.Equal(0.2, epoch.Scalars["epoch/test_loss"], 6);
        Assert.Equal(4, afterEpoch.Step);
        Assert.Equal(0.1, afterEpoch.Scalars["train/loss"], 6);
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks;

        public override DateTimeOffset GetUtcNow() => start + TimeSpan.FromTicks(_ticks);

        public override long GetTimestamp() => _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
