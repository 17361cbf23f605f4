namespace ClusterTrainer.Core.Tests;

public class TrainingSettingsTests
{
    [Theory]
    [InlineData("--epochs")]
    [InlineData("--batch-size")]
    [InlineData("--lr")]
    [InlineData("--workers")]
    [InlineData("--device")]
    public void Should_name_the_setting_that_is_out_of_range(string setting)
    {
        var bad = setting switch
        {
            "--epochs" => new TrainingSettings { Epochs = 0 },
            "--batch-size" => new TrainingSettings { BatchSize = -3 },
            "--lr" => new TrainingSettings { LearningRate = double.NaN },
            "--workers" => new TrainingSettings { Workers = 0 },
            _ => new TrainingSettings { Device = "tpu" },
        };
        var error = Assert.Throws<SettingsException>(() => bad.Validate());
        Assert.Equal(setting, error.Setting);
        Assert.StartsWith(setting, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ModelKind.Mlp)]
    [InlineData(ModelKind.Cnn)]
    [InlineData(ModelKind.Rnn)]
    [InlineData(ModelKind.Tabular)]
    public void Defaults_of_every_model_should_be_valid(ModelKind model) =>
        Assert.Equal(model, TrainingSettings.DefaultsFor(model).Validate().Model);

    [Fact]
    public void Threads_should_be_split_across_workers_so_cores_are_not_oversubscribed()
    {
        Assert.Equal(2, new TrainingSettings { Workers = 1 }.ThreadsPerWorker(2));
        Assert.Equal(1, new TrainingSettings { Workers = 2 }.ThreadsPerWorker(2));
        Assert.Equal(1, new TrainingSettings { Workers = 4 }.ThreadsPerWorker(2));
        Assert.Equal(3, new TrainingSettings { Workers = 4, Threads = 3 }.ThreadsPerWorker(2));
    }

    [Fact]
    public void Cosine_over_the_whole_run_without_warm_up_or_floor_should_decay_to_zero()
    {
        Assert.Equal(0.1, LearningRateSchedule.At(ScheduleKind.Cosine, 0.1, 0, 100, warmup: 0, floor: 0, decay: 1), 12);
        Assert.Equal(0.05, LearningRateSchedule.At(ScheduleKind.Cosine, 0.1, 50, 100, warmup: 0, floor: 0, decay: 1), 12);
        Assert.True(LearningRateSchedule.At(ScheduleKind.Cosine, 0.1, 99, 100, warmup: 0, floor: 0, decay: 1) < 0.0001);
        Assert.Equal(0.1, LearningRateSchedule.At(ScheduleKind.Constant, 0.1, 99, 100, warmup: 0.5, floor: 0.5, decay: 0.5));
    }

    [Fact]
    public void Default_cosine_should_warm_up_hold_the_rate_then_decay_to_its_floor_over_the_last_fifth()
    {
        var settings = new TrainingSettings { LearningRate = 0.1 };
        var rates = Enumerable.Range(0, 1000).Select(step => LearningRateSchedule.At(settings, step, 1000)).ToArray();
        // 2 % warm-up: 20 steps rising linearly to the base rate.
        Assert.Equal(0.1 / 20, rates[0], 12);
        Assert.Equal(0.1 * 10 / 20, rates[9], 12);
        Assert.Equal(0.1, rates[19], 12);
        Assert.True(rates.Take(20).Zip(rates.Skip(1).Take(19)).All(pair => pair.First < pair.Second), "the warm-up does not rise");
        // Held at the base rate until the last 20 % (step 800).
        Assert.All(rates[20..801], rate => Assert.Equal(0.1, rate, 12));
        // Then a cosine from 0.1 to the floor (10 % of it): half way at step 900, never below the floor.
        Assert.Equal(0.1 * (0.1 + (0.9 * 0.5)), rates[900], 12);
        Assert.True(rates[801..].Zip(rates[802..]).All(pair => pair.First > pair.Second), "the decay does not fall");
        Assert.InRange(rates[^1], 0.01, 0.0101);
    }

    [Theory]
    [InlineData(0.02, 1, 0)] // a run of one step is never warmed up
    [InlineData(0.02, 10, 1)] // any share above zero warms up at least one step
    [InlineData(0.0, 1000, 0)]
    [InlineData(0.02, 1000, 20)]
    public void Warm_up_steps_should_be_the_share_of_the_run_rounded_up(double warmup, long totalSteps, long expected) =>
        Assert.Equal(expected, LearningRateSchedule.WarmupSteps(warmup, totalSteps));

    [Theory]
    [InlineData("--lr-warmup", 1.0)]
    [InlineData("--lr-warmup", -0.1)]
    [InlineData("--lr-decay", 0.0)]
    [InlineData("--lr-decay", 1.5)]
    [InlineData("--lr-floor", 1.01)]
    [InlineData("--dropout", 1.0)]
    [InlineData("--dropout", -0.5)]
    public void A_schedule_or_dropout_share_out_of_range_should_be_refused_by_name(string setting, double value)
    {
        var bad = setting switch
        {
            "--lr-warmup" => new TrainingSettings { LrWarmup = value },
            "--lr-decay" => new TrainingSettings { LrDecay = value },
            "--lr-floor" => new TrainingSettings { LrFloor = value },
            _ => new TrainingSettings { Dropout = value },
        };
        Assert.Equal(setting, Assert.Throws<SettingsException>(() => bad.Validate()).Setting);
    }
}
