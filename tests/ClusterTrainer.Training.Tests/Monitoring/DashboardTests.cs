using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ClusterTrainer.Api.V1;
using ClusterTrainer.Cli.Client;

namespace ClusterTrainer.Training.Tests.Monitoring;

/// <summary>The dashboard's HTTP surface on a coordinator whose job API is beyond loopback (so behind its token).</summary>
[Collection(MonitoredClusterDefinition.Name)]
public sealed class DashboardTests(MonitoredCluster cluster)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token)
    {
        using var request = new HttpRequestMessage(method, new Uri(cluster.DashboardUrl + path));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Http.SendAsync(request);
    }

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/dashboard.js", "text/javascript")]
    [InlineData("/dashboard.css", "text/css")]
    public async Task The_page_should_be_served_without_a_token_and_load_nothing_from_elsewhere(string path, string contentType)
    {
        using var response = await SendAsync(HttpMethod.Get, path, token: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.NotEmpty(await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/api/cluster", null)]
    [InlineData("/api/jobs", null)]
    [InlineData("/api/jobs", "not-the-token")]
    public async Task The_data_should_need_the_job_api_s_token(string path, string? token)
    {
        using var response = await SendAsync(HttpMethod.Get, path, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cluster_should_list_every_member_with_its_roles_and_state()
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/cluster", MonitoredCluster.Token);
        var status = ClusterStatusResponse.Parser.ParseJson(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, status.Members.Count);
        Assert.All(status.Members, m => Assert.Equal("Up", m.Status));
        Assert.Equal(2, status.Members.Count(m => m.Roles.SequenceEqual(["worker"])));
        Assert.Single(status.Members, m => m.Roles.Contains("coordinator"));
        Assert.Equal(2, status.IdleWorkers + status.BusyWorkers);
    }

    [Fact]
    public async Task Cancel_should_cancel_a_queued_job_and_say_so_for_an_unknown_one()
    {
        // Three workers asked of a cluster of two: the job waits in the queue.
        var job = await cluster.Client.SubmitJobAsync(new SubmitJobRequest { Training = MonitoredCluster.Cnn(epochs: 1, limit: 600, workers: 3) }, deadline: ServerOptions.Deadline);

        using (var listed = await SendAsync(HttpMethod.Get, "/api/jobs", MonitoredCluster.Token))
        {
            var jobs = ListJobsResponse.Parser.ParseJson(await listed.Content.ReadAsStringAsync());
            Assert.Equal(JobState.Queued, jobs.Jobs.Single(j => j.JobId == job.JobId).State);
        }

        using var unknown = await SendAsync(HttpMethod.Post, "/api/jobs/no-such-job/cancel", MonitoredCluster.Token);
        using var cancel = await SendAsync(HttpMethod.Post, $"/api/jobs/{job.JobId}/cancel", MonitoredCluster.Token);
        var ended = await cluster.EndOfAsync(job.JobId);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no-such-job", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal(JobState.Cancelled, ended.State);
    }

    [Fact]
    public async Task The_series_of_a_job_should_hold_its_progress_and_epochs()
    {
        var (job, _) = await cluster.SubmitAndFollowAsync(new SubmitJobRequest { Training = MonitoredCluster.Cnn(epochs: 2, limit: 600) }, _ => false);

        using var response = await SendAsync(HttpMethod.Get, $"/api/jobs/{job.JobId}/series", MonitoredCluster.Token);
        using var series = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = series.RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("supervised", root.GetProperty("kind").GetString());
        Assert.Equal(10, root.GetProperty("stepsPerEpoch").GetInt32()); // 600 samples in batches of 64
        var steps = root.GetProperty("progress").EnumerateArray().Select(p => p[0].GetDouble()).ToList();
        Assert.Equal(Enumerable.Range(1, 20).Select(s => (double)s), steps);
        Assert.Equal([1, 2], root.GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("epoch").GetInt32()));
        Assert.All(root.GetProperty("epochs").EnumerateArray(), e => Assert.InRange(e.GetProperty("testAccuracy").GetDouble(), 0.1, 1));
    }
}
