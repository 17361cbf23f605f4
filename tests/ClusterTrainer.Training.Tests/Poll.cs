namespace ClusterTrainer.Training.Tests;

/// <summary>Checks a condition until it holds or a deadline passes: a completion signal for state that has no event.</summary>
internal static class Poll
{
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan deadline)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            if (await condition())
            {
                return true;
            }
        }
        while (clock.Elapsed < deadline && await timer.WaitForNextTickAsync());

        return false;
    }
}
