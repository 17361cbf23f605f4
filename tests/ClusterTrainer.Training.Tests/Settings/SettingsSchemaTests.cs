using System.Globalization;
using System.Reflection;
using ClusterTrainer.Api.Settings;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli.Client;
using ClusterTrainer.Cli.Commands;
using ClusterTrainer.Cluster.Api;
using ClusterTrainer.Core;
using ClusterTrainer.Core.Outputs;
using Google.Protobuf;
using Grpc.Core;

namespace ClusterTrainer.Training.Tests.Settings;

/// <summary>
/// The one settings table (issue 11, item 4): every setting is listed, and every listed setting means the same
/// thing on the command line, in the job API and in a sweep file.
/// </summary>
public class SettingsSchemaTests
{
    [Fact]
    public void Every_TrainingSettings_property_should_have_a_row()
    {
        var properties = typeof(TrainingSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .Select(p => p.Name)
            .Order(StringComparer.Ordinal);

        Assert.Equal(properties, TrainingSettingsSchema.Rows.Select(r => r.Property).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_training_flag_should_have_a_row_and_every_command_line_row_an_option()
    {
        var options = typeof(TrainOptions).GetProperties().Select(TrainOptions.LongFlag).OfType<string>().Order(StringComparer.Ordinal);

        Assert.Equal(options, TrainingSettingsSchema.Rows.Where(r => r.OnCommandLine).Select(r => r.Flag).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_TrainingSpec_field_should_have_a_row_and_every_row_that_names_one_a_field()
    {
        var fields = TrainingSpec.Descriptor.Fields.InDeclarationOrder().Select(f => f.Name).Order(StringComparer.Ordinal);

        Assert.Equal(fields, TrainingSettingsSchema.Rows.Select(r => r.ApiField).OfType<string>().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Names_should_be_unique_in_every_vocabulary_and_the_model_should_come_first()
    {
        var rows = TrainingSettingsSchema.Rows;
        Assert.Equal(nameof(TrainingSettings.Model), rows[0].Property);
        foreach (var names in new[] { rows.Select(r => r.Flag), rows.Select(r => r.ApiField).OfType<string>(), rows.Select(r => r.SweepKey).OfType<string>() })
        {
            Assert.Equal(names.Count(), names.Distinct(StringComparer.Ordinal).Count());
        }
    }

    /// <summary>
    /// For each numeric setting, zero given on the command line either reaches the job as zero through the API, or
    /// is refused by the CLI and by the API alike, each naming the setting in its own words.
    /// </summary>
    [Theory]
    [MemberData(nameof(NumericFlags))]
    public void Zero_should_be_a_value_on_the_command_line_and_in_the_api(string flag)
    {
        var row = TrainingSettingsSchema.ByFlag(flag)!;
        var options = Options(new Dictionary<string, string> { [flag] = "0" });
        TrainingSettings cli;
        try
        {
            cli = options.ToSettings();
        }
        catch (SettingsException refused)
        {
            Assert.Equal(flag, refused.Setting);
            var error = Assert.Throws<RpcException>(() => TrainingSpecMapper.ToSettings(SpecWith(row.ApiField!, "0")));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.StartsWith($"training.{row.ApiField}: ", error.Status.Detail, StringComparison.Ordinal);
            return;
        }

        Assert.Equal("0", row.Show(cli));
        Assert.Equal(RunJson.Serialize(cli), RunJson.Serialize(ThroughApi(cli)));
    }

    public static TheoryData<string> NumericFlags()
    {
        var data = new TheoryData<string>();
        foreach (var row in TrainingSettingsSchema.Rows.Where(r => r.OnCommandLine && r.ApiField is not null))
        {
            var type = Nullable.GetUnderlyingType(typeof(TrainingSettings).GetProperty(row.Property)!.PropertyType) ?? typeof(TrainingSettings).GetProperty(row.Property)!.PropertyType;
            if (type == typeof(int) || type == typeof(double))
            {
                data.Add(row.Flag);
            }
        }

        return data;
    }

    [Theory]
    [InlineData("--momentum", "1.5", "momentum")]
    [InlineData("--threads", "0", "threads")]
    [InlineData("--device", "tpu", "device")]
    [InlineData("--exchange-staging", "sideways", "exchange_staging")]
    public void A_bad_value_should_be_named_as_each_caller_knows_it(string flag, string value, string name)
    {
        var cli = Assert.Throws<SettingsException>(() => Options(new Dictionary<string, string> { [flag] = value }).ToSettings());
        Assert.Equal(flag, cli.Setting);

        var sweep = Assert.Throws<SettingsException>(() => SweepValidation.ToSettings(new Dictionary<string, string> { [name] = value }));
        Assert.Equal(name, sweep.Setting);
        Assert.Equal(cli.Problem, sweep.Problem);

        var api = Assert.Throws<RpcException>(() => TrainingSpecMapper.ToSettings(SpecWith(name, value)));
        Assert.Equal($"training.{name}: {cli.Problem}", api.Status.Detail);
    }

    [Fact]
    public void A_setting_the_api_cannot_carry_should_be_refused_by_name_when_it_is_not_its_default()
    {
        var carried = TrainingSettings.DefaultsFor(ModelKind.Mlp);
        Assert.NotNull(TrainingSettingsSchema.ToSpec(carried));

        var error = Assert.Throws<SettingsException>(() => TrainingSettingsSchema.ToSpec(carried with { ChecksumEvery = 7 }));
        Assert.Equal("--checksum-every", error.Setting);
        Assert.Equal("--checksum-every", TrainingSettingsSchema.NotCarried(["--epochs", "--checksum-every"]));
        Assert.Null(TrainingSettingsSchema.NotCarried(TrainingSettingsSchema.Rows.Where(r => r.OnCommandLine).Select(r => r.Flag)));
    }

    [Fact]
    public void A_request_should_leave_out_what_the_model_does_not_use_and_the_api_should_refuse_it_when_present()
    {
        var cnn = Options(new Dictionary<string, string> { ["--model"] = "cnn" }).ToSettings();
        var spec = TrainingSettingsSchema.ToSpec(cnn);
        Assert.False(spec.HasMomentum, "momentum sent for an Adam job");
        Assert.Equal(string.Empty, spec.Activation);
        Assert.Equal(RunJson.Serialize(cnn), RunJson.Serialize(ThroughApi(cnn)));

        spec.Momentum = 0.5;
        var error = Assert.Throws<RpcException>(() => TrainingSpecMapper.ToSettings(spec));
        Assert.StartsWith("training.momentum: applies to the sgd optimizer only", error.Status.Detail, StringComparison.Ordinal);
    }

    /// <summary>Settings on the command line, as Spectre.Console.Cli would bind them (one string property per flag).</summary>
    internal static TrainOptions Options(IReadOnlyDictionary<string, string> textByFlag)
    {
        var options = new TrainOptions();
        foreach (var property in typeof(TrainOptions).GetProperties())
        {
            if (TrainOptions.LongFlag(property) is { } flag && textByFlag.TryGetValue(flag, out var text))
            {
                // A switch is bound as a bool: given (true) or not; its text is then only ever "true".
                property.SetValue(options, property.PropertyType == typeof(bool) ? text == "true" : text);
            }
        }

        return options;
    }

    /// <summary>A request that sets one field, as another API client might.</summary>
    private static TrainingSpec SpecWith(string field, string text)
    {
        var descriptor = TrainingSpec.Descriptor.FindFieldByName(field);
        object value = descriptor.FieldType switch
        {
            Google.Protobuf.Reflection.FieldType.Int32 => int.Parse(text, CultureInfo.InvariantCulture),
            Google.Protobuf.Reflection.FieldType.Double => double.Parse(text, CultureInfo.InvariantCulture),
            _ => text,
        };
        var spec = new TrainingSpec();
        descriptor.Accessor.SetValue(spec, value);
        return spec;
    }

    /// <summary>The settings the coordinator runs for a request `submit` makes from <paramref name="settings"/>, sent through protobuf's wire format.</summary>
    internal static TrainingSettings ThroughApi(TrainingSettings settings) =>
        TrainingSpecMapper.ToSettings(TrainingSpec.Parser.ParseFrom(TrainingSettingsSchema.ToSpec(settings).ToByteArray()));
}
