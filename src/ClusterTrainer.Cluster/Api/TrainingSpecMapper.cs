using ClusterTrainer.Api.Settings;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Core;
using Grpc.Core;

namespace ClusterTrainer.Cluster.Api;

/// <summary>
/// Turns a request's training spec into validated settings (<see cref="TrainingSettingsSchema.FromSpec"/>): absent
/// fields take the model's defaults, present ones are used as given, and a bad value becomes InvalidArgument
/// naming the request field (training.epochs), never a crash.
/// </summary>
public static class TrainingSpecMapper
{
    public static TrainingSettings ToSettings(TrainingSpec? spec)
    {
        if (spec is null)
        {
            throw Invalid("training", "is required");
        }

        try
        {
            return TrainingSettingsSchema.FromSpec(spec);
        }
        catch (SettingsException error)
        {
            var renamed = TrainingSettingsSchema.Rename(error, SettingVocabulary.Api);
            throw Invalid(renamed.Setting, renamed.Problem);
        }
    }

    public static RpcException Invalid(string field, string problem) =>
        new(new Status(StatusCode.InvalidArgument, $"{field}: {problem}"));
}
