using Akka.Actor;
using ClusterTrainer.Cluster.Coordination;
using ClusterTrainer.Cluster.Hosting;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Data;
using ClusterTrainer.Models;
using Serilog;

namespace ClusterTrainer.Training.Tests;

/// <summary>Runs a job on the in-process actor cluster and reads back what it produced.</summary>
internal static class ClusterRun
{
    public static async Task<(RunSummary Summary, float[] Parameters, IReadOnlyList<EpochMetrics> Epochs)> TrainAsync(TrainingSettings settings, DataSplit data, string directory, string config = "")
    {
        var system = ActorSystem.Create("test-" + Guid.NewGuid().ToString("N")[..8], config);
        var epochs = new List<EpochMetrics>();
        try
        {
            var job = new TrainingJob(Path.GetFileName(directory), settings.Validate(), data, directory);
            var summary = await LocalTrainingCluster.RunAsync(system, job, new LoggerConfiguration().CreateLogger(), e =>
            {
                if (e is EpochFinished finished)
                {
                    lock (epochs)
                    {
                        epochs.Add(finished.Metrics);
                    }
                }
            }).WaitAsync(TimeSpan.FromMinutes(5));
            using var replica = new Replica(settings, data.Train.SampleShape, data.Train.ClassCount, settings.Seed + 1000);
            replica.Load(Path.Combine(directory, RunDirectory.ModelFile));
            return (summary, replica.ExportParameters(), epochs);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
