using Akka.Actor;

namespace ClusterTrainer.Cluster.Api.Store;

/// <summary>What the job API knows of a job when it is submitted, enough to queue it again after a restart.</summary>
/// <param name="Kind">"training" or "dqn": which settings <paramref name="SettingsJson"/> holds.</param>
public sealed record StoredJob(string JobId, string Name, string Kind, string Model, string SettingsJson, int Workers, int Epochs, string RunDirectory)
{
    public const string Training = "training";
    public const string Dqn = "dqn";
}

/// <summary>Event: a job was accepted by the API (it is queued).</summary>
public sealed record JobSubmitted(StoredJob Job);

/// <summary>Event: a job started running (its first progress).</summary>
public sealed record JobStarted(string JobId);

/// <summary>Event: a job ended; <paramref name="State"/> is finished, failed or cancelled.</summary>
public sealed record JobEnded(string JobId, string State, string Error, string SummaryJson, double? TestAccuracy, double EvalMeanReturn)
{
    public const string Finished = "finished";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

/// <summary>The reply once a <see cref="JobSubmitted"/> is durable.</summary>
public sealed record JobRecorded(string JobId) : INoSerializationVerificationNeeded;

/// <summary>One job as the store knows it: <paramref name="State"/> is queued, running, or how it ended.</summary>
public sealed record StoredJobState(StoredJob Job, string State, string Error, string SummaryJson, double? TestAccuracy, double EvalMeanReturn)
{
    public const string Queued = "queued";
    public const string Running = "running";
}

public sealed class GetJobHistory : INoSerializationVerificationNeeded
{
    public static readonly GetJobHistory Instance = new();

    private GetJobHistory()
    {
    }
}

/// <summary>Every job the store knows, in submission order.</summary>
public sealed record JobHistory(IReadOnlyList<StoredJobState> Jobs) : INoSerializationVerificationNeeded;
