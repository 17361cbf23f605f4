using System.ComponentModel;
using Spectre.Console.Cli;

namespace ClusterTrainer.Cli.Commands;

/// <summary>Training flags of the commands that write a run directory (`train`, `cluster`).</summary>
public class RunOutputOptions : TrainOptions
{
    public const string ForceDescription =
        "Write into a --out directory that already holds files, replacing an earlier run's results there (without it such a directory is refused)";

    [CommandOption("--force")]
    [Description(ForceDescription)]
    public bool Force { get; init; }

    [CommandOption("--resume <RUN_DIR>")]
    [Description("Continue the run in RUN_DIR from its newest good checkpoint, with its own settings; only --workers, --threads, --shards and --checkpoint-every may be given (the results do not depend on them)")]
    public string? Resume { get; init; }
}
