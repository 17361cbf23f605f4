using ClusterTrainer.Api.V1;

namespace ClusterTrainer.Cli.Client;

/// <summary>Exit codes that tell a script how a job ended.</summary>
public static class JobExitCodes
{
    public static int For(JobState state) => state switch
    {
        JobState.Finished => 0,
        JobState.Cancelled => CliApp.Cancelled,
        _ => CliApp.Failed,
    };
}
