namespace ClusterTrainer.Core.Tests;

/// <summary>Settings the model would not use are refused by name, not dropped (issue 15, item 6).</summary>
public class ImpossibleSettingsTests
{
    [Theory]
    [InlineData(ModelKind.Cnn)]
    [InlineData(ModelKind.Rnn)]
    public void An_activation_other_than_relu_should_be_refused_for_models_without_that_choice(ModelKind model)
    {
        var error = Assert.Throws<SettingsException>(() => (TrainingSettings.DefaultsFor(model) with { Activation = Activation.Sigmoid }).Validate());
        Assert.Equal("--activation", error.Setting);
        Assert.Contains("mlp and tabular", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ModelKind.Cnn)]
    [InlineData(ModelKind.Rnn)]
    public void More_than_one_hidden_size_should_be_refused_for_models_that_have_one(ModelKind model)
    {
        var error = Assert.Throws<SettingsException>(() => (TrainingSettings.DefaultsFor(model) with { Hidden = [128, 64] }).Validate());
        Assert.Equal("--hidden", error.Setting);
        Assert.Contains("got 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_flags_that_the_model_or_optimizer_ignores_should_be_refused_by_name()
    {
        var cnn = TrainingSettings.DefaultsFor(ModelKind.Cnn);
        Assert.Equal("--activation", Assert.Throws<SettingsException>(() => SettingApplicability.Require(cnn, new HashSet<string> { "--activation" })).Setting);
        Assert.Equal("--momentum", Assert.Throws<SettingsException>(() => SettingApplicability.Require(cnn, new HashSet<string> { "--momentum" })).Setting);
        var mlp = TrainingSettings.DefaultsFor(ModelKind.Mlp) with { Optimizer = OptimizerKind.Sgd };
        Assert.Same(mlp, SettingApplicability.Require(mlp, new HashSet<string> { "--activation", "--momentum" }));
        Assert.Equal("--momentum", Assert.Throws<SettingsException>(() => SettingApplicability.Require(TrainingSettings.DefaultsFor(ModelKind.Mlp), new HashSet<string> { "--momentum" })).Setting);
        var constant = cnn with { Schedule = ScheduleKind.Constant };
        Assert.Equal("--lr-floor", Assert.Throws<SettingsException>(() => SettingApplicability.Require(constant, new HashSet<string> { "--lr-floor" })).Setting);
        Assert.Same(cnn, SettingApplicability.Require(cnn, new HashSet<string> { "--lr-warmup", "--lr-decay", "--lr-floor", "--dropout" }));
        var cnnWithSgd = cnn with { Optimizer = OptimizerKind.Sgd };
        Assert.Same(cnnWithSgd, SettingApplicability.Require(cnnWithSgd, new HashSet<string> { "--momentum" }));
    }

    [Fact]
    public void A_class_limit_below_two_should_be_refused()
    {
        Assert.Equal("--max-classes", Assert.Throws<SettingsException>(() => new TrainingSettings { MaxClasses = 1 }.Validate()).Setting);
        Assert.Equal(1000, new TrainingSettings().MaxClasses);
    }
}
