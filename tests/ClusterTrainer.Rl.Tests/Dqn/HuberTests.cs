using ClusterTrainer.Rl.Dqn;

namespace ClusterTrainer.Rl.Tests.Dqn;

public class HuberTests
{
    [Theory]
    [InlineData(0.0, 1.0, 0.0)]
    [InlineData(0.5, 1.0, 0.125)] // 0.5 * 0.5^2
    [InlineData(-1.0, 1.0, 0.5)] // the boundary: both branches give 0.5
    [InlineData(3.0, 1.0, 2.5)] // 1 * (3 - 0.5)
    [InlineData(-3.0, 2.0, 4.0)] // 2 * (3 - 1)
    public void Huber_loss_is_quadratic_inside_delta_and_linear_outside(double error, double delta, double expected)
    {
        Assert.Equal(expected, Huber.Loss(error, delta), 1e-12);
    }

    [Theory]
    [InlineData(0.5, 1.0, 0.5)]
    [InlineData(-0.25, 1.0, -0.25)]
    [InlineData(3.0, 1.0, 1.0)]
    [InlineData(-3.0, 2.0, -2.0)]
    public void Huber_gradient_is_the_error_clipped_to_delta(double error, double delta, double expected)
    {
        Assert.Equal(expected, Huber.Gradient(error, delta), 1e-12);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(-2.7)]
    public void Huber_gradient_matches_the_slope_of_the_loss(double error)
    {
        const double h = 1e-6;
        var slope = (Huber.Loss(error + h) - Huber.Loss(error - h)) / (2 * h);

        Assert.Equal(slope, Huber.Gradient(error), 1e-6);
    }
}
