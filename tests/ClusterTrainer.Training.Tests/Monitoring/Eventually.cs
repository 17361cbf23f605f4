namespace ClusterTrainer.Training.Tests.Monitoring;

/// <summary>Waits for a condition of a remote system by asking it again, within a deadline that fails the test.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan within, string failure)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"{failure} (waited {within.TotalSeconds:0} s)");
            }

            // Polling an outside system between checks, not synchronising on time: the condition decides.
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }
}
