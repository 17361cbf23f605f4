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
    public void Cosine_schedule_should_start_at_the_base_rate_and_end_near_zero()
    {
        Assert.Equal(0.1, LearningRateSchedule.At(ScheduleKind.Cosine, 0.1, 0, 100), 12);
        Assert.Equal(0.05, LearningRateSchedule.At(ScheduleKind.Cosine, 0.1, 50, 100), 12);
        Assert.True(LearningRateSchedule.At(ScheduleKind.Cosine, 0.1, 99, 100) < 0.0001);
        Assert.Equal(0.1, LearningRateSchedule.At(ScheduleKind.Constant, 0.1, 99, 100));
    }
}
