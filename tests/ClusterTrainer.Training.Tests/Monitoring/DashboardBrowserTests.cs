using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli.Client;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ClusterTrainer.Training.Tests.Monitoring;

/// <summary>Runs only where Debian's chromium is installed (CI installs it): Playwright drives it, it downloads no browser.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Executable = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Executable))
        {
            Skip = $"{Executable} is missing: the dashboard's browser test needs Debian's chromium (apt-get install chromium)";
        }
    }
}

/// <summary>The dashboard in a real browser, on a real cluster with a job training.</summary>
[Collection(MonitoredClusterDefinition.Name)]
public sealed class DashboardBrowserTests(MonitoredCluster cluster, ITestOutputHelper output)
{
    // What chromium needs on these machines: no sandbox as root, and no network of its own (the network is closed).
    private static readonly string[] ChromiumArguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    /// <summary>Where the screenshot of the running job is kept, beside the test's build output.</summary>
    public static string ScreenshotPath => Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard", "dashboard-running-job.png");

    [ChromiumFact]
    public async Task Should_ask_for_the_token_then_show_members_a_running_job_with_live_charts_and_cancel_it()
    {
        var (job, firstEpoch) = await cluster.SubmitAndFollowAsync(new SubmitJobRequest { Training = MonitoredCluster.Cnn(epochs: 40, limit: 1500) },
            e => e.EventCase == JobEvent.EventOneofCase.Epoch);
        Assert.Equal(JobEvent.EventOneofCase.Epoch, firstEpoch.EventCase);
        try
        {
            using var playwright = await Playwright.CreateAsync();
            using var profile = new TempDirectory();
            await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(profile.Path, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = ChromiumFactAttribute.Executable,
                Headless = true,
                Args = ChromiumArguments,
                ViewportSize = new ViewportSize { Width = 1280, Height = 1100 },
                Timeout = 60_000,
            });
            var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
            page.SetDefaultTimeout(60_000);
            await page.GotoAsync(cluster.DashboardUrl + "/");

            // The job API is beyond loopback: the page asks for its token before it shows anything.
            await Assertions.Expect(page.Locator("#login")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#main")).ToBeHiddenAsync();
            await page.Locator("#token").FillAsync("wrong-token");
            await page.Locator("#token-form button").ClickAsync();
            await Assertions.Expect(page.Locator("#login-error")).ToContainTextAsync("not valid");
            await page.Locator("#token").FillAsync(MonitoredCluster.Token);
            await page.Locator("#token-form button").ClickAsync();

            await Assertions.Expect(page.Locator("#members tbody tr")).ToHaveCountAsync(3);
            await Assertions.Expect(page.Locator("#members tbody")).ToContainTextAsync("coordinator");
            var row = page.Locator($"#jobs tbody tr[data-job-id='{job.JobId}']");
            await Assertions.Expect(row.Locator("td.state")).ToHaveTextAsync("running");
            await Assertions.Expect(row).ToHaveClassAsync("selected");
            await Assertions.Expect(page.Locator("#cluster-summary")).ToContainTextAsync("2 registered workers (2 busy, 0 idle)");
            // Live charts: the loss line grows while we watch, and the accuracy chart has a point per finished epoch.
            var loss = page.Locator("#chart-progress polyline[data-series^='training loss']");
            var seen = int.Parse(await loss.GetAttributeAsync("data-count") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            await page.WaitForFunctionAsync("() => document.querySelectorAll('#chart-accuracy circle').length >= 2");
            await page.WaitForFunctionAsync(
                "seen => Number(document.querySelector(\"#chart-progress polyline[data-series^='training loss']\").dataset.count) > seen", seen);
            await Assertions.Expect(page.Locator("#chart-accuracy-caption")).ToContainTextAsync("Test accuracy per epoch");
            Directory.CreateDirectory(Path.GetDirectoryName(ScreenshotPath)!);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath, FullPage = true });
            output.WriteLine($"screenshot of the running job: {ScreenshotPath}");

            await row.Locator("button.cancel").ClickAsync();
            await Assertions.Expect(row.Locator("td.state")).ToHaveTextAsync("cancelled");
            await Assertions.Expect(row.Locator("button.cancel")).ToHaveCountAsync(0);
            var info = await cluster.Client.GetJobAsync(new GetJobRequest { JobId = job.JobId }, deadline: ServerOptions.Deadline);
            Assert.Equal(JobState.Cancelled, info.State);
        }
        finally
        {
            // Whatever failed above, leave no job running for the next test.
            await cluster.Client.CancelJobAsync(new CancelJobRequest { JobId = job.JobId }, deadline: ServerOptions.Deadline);
            await cluster.EndOfAsync(job.JobId);
        }
    }
}
