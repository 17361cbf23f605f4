using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli.Client;

namespace ClusterTrainer.Training.Tests;

public class JobWatcherTests
{
    [Fact]
    public void A_dqn_jobs_progress_should_read_as_env_steps_and_mean_return()
    {
        var line = JobWatcher.DescribeProgress("job-1", 4, new Progress { SamplesDone = 12_032, SamplesTotal = 30_000, Loss = 105.5 });

        Assert.Equal("job-1: 40% 12032/30000 env steps, training mean return 105.5", line);
    }

    [Fact]
    public void A_training_jobs_progress_should_read_as_epochs_and_loss()
    {
        var line = JobWatcher.DescribeProgress("job-2", 5, new Progress { Epoch = 3, Epochs = 6, SamplesDone = 3, SamplesTotal = 6, Loss = 0.41234 });

        Assert.Equal("job-2: 50% epoch 3/6 loss 0.4123", line);
    }
}
