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
        var model = settings.Model.ToString().ToLowerInvariant();
        if (given.Contains("--activation") && settings.Model is not (ModelKind.Mlp or ModelKind.Tabular))
        {
            throw new SettingsException("--activation", $"applies to the mlp and tabular models only; the {model} has its own ({(settings.Model == ModelKind.Cnn ? "ReLU" : "the GRU's gates")}). Leave it out");
        }

        if (given.Contains("--momentum") && settings.Optimizer != OptimizerKind.Sgd)
        {
            throw new SettingsException("--momentum", $"applies to the sgd optimizer only; this run uses {settings.Optimizer.ToString().ToLowerInvariant()} (the {model}'s default unless --optimizer says otherwise). Leave it out, or add --optimizer sgd");
        }

        return settings;
    }
}
