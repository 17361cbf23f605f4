namespace ClusterTrainer.Core;

/// <summary>
/// Settings a person gave that the chosen model or optimizer would not use. Such a value would be dropped
/// without a word (`--model cnn --activation sigmoid` trains with ReLU), so it is refused by name instead.
/// </summary>
public static class SettingApplicability
{
    /// <param name="given">The settings the person gave, by flag name (--activation, --momentum).</param>
    /// <exception cref="SettingsException">naming the first given setting that does not apply.</exception>
    public static TrainingSettings Require(TrainingSettings settings, IReadOnlySet<string> given)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(given);
        foreach (var flag in given.Order(StringComparer.Ordinal))
        {
            if (Problem(settings, flag) is { } problem)
            {
                throw new SettingsException(flag, problem);
            }
        }

        return settings;
    }

    /// <summary>Whether these settings use the setting of <paramref name="flag"/> (a request leaves out those they do not).</summary>
    public static bool Applies(TrainingSettings settings, string flag) => Problem(settings, flag) is null;

    /// <summary>Why these settings do not use the setting of <paramref name="flag"/>; null when they do.</summary>
    private static string? Problem(TrainingSettings settings, string flag)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var model = settings.Model.ToString().ToLowerInvariant();
        return flag switch
        {
            "--activation" when settings.Model is not (ModelKind.Mlp or ModelKind.Tabular) =>
                $"applies to the mlp and tabular models only; the {model} has its own ({(settings.Model == ModelKind.Cnn ? "ReLU" : "the GRU's gates")}). Leave it out",
            "--momentum" when settings.Optimizer != OptimizerKind.Sgd =>
                $"applies to the sgd optimizer only; this run uses {settings.Optimizer.ToString().ToLowerInvariant()} (the {model}'s default unless --optimizer says otherwise). Leave it out, or add --optimizer sgd",
            "--lr-warmup" or "--lr-decay" or "--lr-floor" when settings.Schedule != ScheduleKind.Cosine =>
                $"applies to the cosine schedule only; this run's rate is {settings.Schedule.ToString().ToLowerInvariant()}. Leave it out, or use --lr-schedule cosine",
            _ => null,
        };
    }
}
