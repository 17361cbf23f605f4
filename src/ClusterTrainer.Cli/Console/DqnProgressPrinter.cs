using ClusterTrainer.Cluster.Rl;
using Spectre.Console;

namespace ClusterTrainer.Cli.Console;

/// <summary>Plain progress lines for a DQN run: one per tenth of the budget and one per greedy evaluation.</summary>
public sealed class DqnProgressPrinter(IAnsiConsole console)
{
    private long _lastDecile = -1;

    public void Show(object update)
    {
        switch (update)
        {
            case DqnProgressed p:
                var decile = p.EnvSteps * 10 / Math.Max(1, p.TotalSteps);
                if (decile != _lastDecile)
                {
                    _lastDecile = decile;
                    console.WriteLine(FormattableString.Invariant($"progress {decile * 10}%: {p.EnvSteps} env steps, {p.EnvStepsPerSecond:F0} env steps/s, {p.Episodes} episodes, mean return (last 100) {p.TrainMeanReturn:F1}, {p.Updates} updates"));
                }

                break;
            case DqnEvaluated e:
                console.WriteLine(FormattableString.Invariant($"evaluation at {e.Row.EnvSteps} env steps: greedy mean return {e.Row.EvalMeanReturn:F1}, training mean {e.Row.TrainMeanReturn:F1}"));
                break;
        }
    }
}
