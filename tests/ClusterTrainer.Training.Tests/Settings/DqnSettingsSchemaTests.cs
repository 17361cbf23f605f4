using System.Reflection;
using ClusterTrainer.Api.Settings;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli.Commands;
using ClusterTrainer.Cluster.Api;
using ClusterTrainer.Core;
using ClusterTrainer.Rl.Dqn;
using Grpc.Core;

namespace ClusterTrainer.Training.Tests.Settings;

/// <summary>The DQN job's settings table: every setting listed, and each carried one meaning the same in `dqn`, `submit --dqn-env` and the API.</summary>
public class DqnSettingsSchemaTests
{
    [Fact]
    public void Every_DqnSettings_property_should_have_a_row()
    {
        var properties = typeof(DqnSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name).Order(StringComparer.Ordinal);

        Assert.Equal(properties, DqnSettingsSchema.Rows.Select(r => r.Property).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_dqn_command_setting_flag_should_have_a_row_and_submit_should_take_every_carried_one()
    {
        string[] runOutput = ["--out", "--force"];
        var options = typeof(DqnCommand.Options).GetProperties().Select(TrainOptions.LongFlag).OfType<string>().Except(runOutput).Order(StringComparer.Ordinal);
        Assert.Equal(options, DqnSettingsSchema.Rows.Where(r => r.OnCommandLine).Select(r => r.Flag).Order(StringComparer.Ordinal));

        var submit = typeof(SubmitCommand.Options).GetProperties().Select(TrainOptions.LongFlag).OfType<string>().ToHashSet(StringComparer.Ordinal);
        Assert.All(DqnSettingsSchema.Rows.Where(r => r.ApiField is not null), row => Assert.Contains(row.Flag == "--env" ? "--dqn-env" : row.Flag, submit));
    }

    [Fact]
    public void Every_DqnSpec_field_should_have_a_row()
    {
        Assert.Equal(
            DqnSpec.Descriptor.Fields.InDeclarationOrder().Select(f => f.Name).Order(StringComparer.Ordinal),
            DqnSettingsSchema.Rows.Select(r => r.ApiField).OfType<string>().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Seed_0_and_replay_ratio_0_should_reach_a_dqn_job_as_given()
    {
        var settings = DqnJobRunner.ToSettings(new DqnSpec { Env = "cartpole", Seed = 0, ReplayRatio = 0 });

        Assert.Equal(0, settings.Seed);
        Assert.Equal(0, settings.ReplayRatio);
        Assert.Equal(DqnSettings.DefaultsFor("cartpole").Collectors, DqnJobRunner.ToSettings(new DqnSpec { Env = "cartpole" }).Collectors);
    }

    [Fact]
    public void A_bad_value_should_be_named_as_the_command_line_and_the_api_know_it()
    {
        var cli = Assert.Throws<SettingsException>(() => DqnSettingsSchema.FromText(new Dictionary<string, string> { ["--steps"] = "-5" }));
        Assert.Equal("--steps", cli.Setting);

        var api = Assert.Throws<RpcException>(() => DqnJobRunner.ToSettings(new DqnSpec { Env = "cartpole", Steps = -5 }));
        Assert.Equal($"dqn.steps: {cli.Problem}", api.Status.Detail);
        Assert.Equal("--steps: must give every environment copy at least one step (8), got -5.", cli.Message);
    }
}
