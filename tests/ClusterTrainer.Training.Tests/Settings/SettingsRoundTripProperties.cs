using System.Globalization;
using ClusterTrainer.Api.Settings;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cluster.Api;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using ClusterTrainer.Rl.Dqn;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Google.Protobuf;

namespace ClusterTrainer.Training.Tests.Settings;

/// <summary>
/// Issue 11's property: for any flags, CLI flags -> API request -> settings equals CLI flags -> settings, zeros
/// included. The flags are drawn from the table itself, so a setting added to it is covered without a new test.
/// </summary>
public class SettingsRoundTripProperties
{
    [Property(MaxTest = 400)]
    public Property Settings_should_reach_the_job_through_the_api_unchanged_or_be_refused_by_name()
    {
        var flags = Gen.Constant(Array.Empty<(string Flag, string Text)>());
        foreach (var row in TrainingSettingsSchema.Rows.Where(r => r.OnCommandLine))
        {
            var given = Gen.OneOf(Gen.Constant<string?>(null), Gen.Constant<string?>(null), TextFor(typeof(TrainingSettings), row.Property).Select(text => (string?)text));
            flags = from before in flags
                    from text in given
                    select text is null ? before : [.. before, (row.Flag, text)];
        }

        return Prop.ForAll(flags.ToArbitrary(), given =>
        {
            var options = SettingsSchemaTests.Options(given.ToDictionary(g => g.Flag, g => g.Text, StringComparer.Ordinal));
            TrainingSettings cli;
            try
            {
                cli = options.ToSettings();
            }
            catch (SettingsException refused)
            {
                // Refused on the command line: the message must name a flag that was given.
                return Prop.Label(given.Any(g => g.Flag == refused.Setting), $"refused as '{refused.Setting}', given {string.Join(" ", given)}").Classify(true, "refused");
            }

            var api = SettingsSchemaTests.ThroughApi(cli);
            return Prop.Label(RunJson.Serialize(api) == RunJson.Serialize(cli), $"{string.Join(" ", given)}: CLI {RunJson.Serialize(cli)} API {RunJson.Serialize(api)}").Classify(true, "carried");
        });
    }

    /// <summary>
    /// DQN's property: the flags `submit --dqn-env` takes (the rows the API carries) -> API request -> settings equals
    /// the same flags -> settings, as `dqn` reads them.
    /// </summary>
    [Property(MaxTest = 200)]
    public Property Dqn_settings_should_reach_the_job_through_the_api_unchanged_or_be_refused_by_name()
    {
        var flags = Gen.Elements("cartpole", "acrobot", "mountaincar", "pong").Select(env => new[] { ("--env", env) });
        foreach (var row in DqnSettingsSchema.Rows.Where(r => r.ApiField is not null && r.Flag != "--env"))
        {
            var given = Gen.OneOf(Gen.Constant<string?>(null), TextFor(typeof(DqnSettings), row.Property).Select(text => (string?)text));
            flags = from before in flags
                    from text in given
                    select text is null ? before : [.. before, (row.Flag, text)];
        }

        return Prop.ForAll(flags.ToArbitrary(), given =>
        {
            var text = given.ToDictionary(g => g.Item1, g => g.Item2, StringComparer.Ordinal);
            DqnSettings cli;
            try
            {
                cli = DqnSettingsSchema.FromText(text);
            }
            catch (SettingsException refused)
            {
                return Prop.Label(text.ContainsKey(refused.Setting), $"refused as '{refused.Setting}', given {string.Join(" ", given)}").Classify(true, "refused");
            }

            var api = DqnJobRunner.ToSettings(DqnSpec.Parser.ParseFrom(DqnSettingsSchema.ToSpec(cli).ToByteArray()));
            return Prop.Label(RunJson.Serialize(api) == RunJson.Serialize(cli), $"{string.Join(" ", given)}: CLI {RunJson.Serialize(cli)} API {RunJson.Serialize(api)}").Classify(true, "carried");
        });
    }

    /// <summary>Typed text for a setting, by the type of its property: zeros often, valid values mostly, some that must be refused.</summary>
    private static Gen<string> TextFor(Type settings, string property)
    {
        var type = settings.GetProperty(property)!.PropertyType;
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(bool))
        {
            return Gen.Elements("true", "false");
        }

        if (type == typeof(long))
        {
            return Gen.OneOf(Gen.Elements("0", "1", "8"), Gen.Choose(1, 200_000).Select(i => i.ToString(CultureInfo.InvariantCulture)), Gen.Elements("-1", "many"));
        }

        if (type == typeof(int))
        {
            return Gen.OneOf(Gen.Elements("0", "1", "2"), Gen.Choose(1, 300).Select(i => i.ToString(CultureInfo.InvariantCulture)), Gen.Choose(-3, 3000).Select(i => i.ToString(CultureInfo.InvariantCulture)), Gen.Elements("-1", "two"));
        }

        if (type == typeof(double))
        {
            return Gen.OneOf(Gen.Elements("0", "0.5", "1e-3"), Gen.Choose(1, 999).Select(i => (i / 1000.0).ToString("R", CultureInfo.InvariantCulture)), Gen.Elements("-0.25", "1", "NaN", "fast"));
        }

        if (type.IsEnum)
        {
            var names = Enum.GetNames(type);
            return Gen.OneOf(Gen.Elements(names.Select(n => n.ToLowerInvariant()).ToArray()), Gen.Elements(names), Gen.Constant("sideways"));
        }

        if (type == typeof(int[]))
        {
            return Gen.Elements("256,256", "64", "8,4,2", "0", "12,x");
        }

        return Gen.Elements("cpu", "cuda", "sample", "/data/fashion", string.Empty);
    }
}
