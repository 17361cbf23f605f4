using ClusterTrainer.Api.V1;

namespace ClusterTrainer.Training.Tests.Monitoring;

/// <summary>Scrapes real nodes' /metrics while they train and after, and reads Prometheus' text format strictly.</summary>
[Collection(MonitoredClusterDefinition.Name)]
public sealed class MetricsTests(MonitoredCluster cluster)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<IReadOnlyList<Sample>> ScrapeAsync(string url)
    {
        using var response = await Http.GetAsync(new Uri(url));
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_scrape_during_a_job_should_show_it_running_and_every_worker_s_steps_phases_and_exchange_bytes()
    {
        var coordinatorUrl = cluster.DashboardUrl + "/metrics";
        var finishedBefore = (await ScrapeAsync(coordinatorUrl)).Single("clustertrainer_jobs", ("state", "finished"));
        const int stepsPerEpoch = 19; // 1,200 samples in batches of 64

        var (job, first) = await cluster.SubmitAndFollowAsync(new SubmitJobRequest { Training = MonitoredCluster.Cnn(epochs: 6, limit: 1200) },
            e => e.EventCase == JobEvent.EventOneofCase.Epoch);
        var during = await ScrapeAsync(coordinatorUrl);
        var workers = await Task.WhenAll(cluster.WorkerMetricsUrls.Select(ScrapeAsync));

        Assert.Equal(JobEvent.EventOneofCase.Epoch, first.EventCase);
        Assert.Equal(1, during.Single("clustertrainer_jobs", ("state", "running")));
        Assert.Equal(2, during.Single("clustertrainer_registered_workers"));
        Assert.Equal(3, during.Single("clustertrainer_cluster_members", ("status", "up")));
        Assert.Equal(first.Epoch.TestAccuracy, during.Single("clustertrainer_epoch_test_accuracy", ("job_id", job.JobId)), 9);
        Assert.Equal(first.Epoch.SamplesPerSecond, during.Single("clustertrainer_epoch_samples_per_second", ("job_id", job.JobId)), first.Epoch.SamplesPerSecond * 1e-9);
        Assert.True(during.Single("clustertrainer_job_steps_total", ("job_id", job.JobId)) >= stepsPerEpoch);
        Assert.True(during.Single("clustertrainer_job_samples_total", ("job_id", job.JobId)) >= 1200);
        Assert.True(double.IsFinite(during.Single("clustertrainer_job_train_loss", ("job_id", job.JobId))));
        foreach (var worker in workers)
        {
            var steps = worker.Single("clustertrainer_worker_steps_total");
            Assert.True(steps >= stepsPerEpoch, $"a worker counted {steps} steps after a whole epoch");
            Assert.True(worker.Single("clustertrainer_worker_samples_total") >= (steps - 1) * 32);
            foreach (var phase in new[] { "compute", "exchange", "data_wait" })
            {
                var count = worker.Single("clustertrainer_worker_step_phase_seconds_count", ("phase", phase));
                Assert.True(count >= steps - 1 && count <= steps + 1, $"{count} {phase} observations for {steps} steps");
                Assert.True(worker.Single("clustertrainer_worker_step_phase_seconds_sum", ("phase", phase)) >= 0);
            }

            Assert.True(worker.Single("clustertrainer_worker_step_phase_seconds_sum", ("phase", "compute")) > 0);
            // Two ranks: each sends and receives 2(N-1)/N = 1 gradient per step; the CNN's is 1.7 MB.
            var sent = worker.Single("clustertrainer_exchange_bytes_total", ("direction", "sent"));
            var received = worker.Single("clustertrainer_exchange_bytes_total", ("direction", "received"));
            Assert.True(sent >= (steps - 1) * 1_000_000, $"{sent} bytes sent in {steps} steps");
            Assert.True(received >= (steps - 1) * 1_000_000, $"{received} bytes received in {steps} steps");
            Assert.Equal(0, worker.Count(s => s.Name == "clustertrainer_jobs"));
        }

        var ended = await cluster.EndOfAsync(job.JobId);
        var after = await ScrapeAsync(coordinatorUrl);

        Assert.True(ended.State == JobState.Finished, ended.Error);
        Assert.Equal(finishedBefore + 1, after.Single("clustertrainer_jobs", ("state", "finished")));
        Assert.Equal(0, after.Single("clustertrainer_jobs", ("state", "running")));
        Assert.Equal(6, after.Single("clustertrainer_epoch", ("job_id", job.JobId)));
        Assert.Equal(6 * stepsPerEpoch, after.Single("clustertrainer_job_steps_total", ("job_id", job.JobId)));
        Assert.Equal(6 * 1200, after.Single("clustertrainer_job_samples_total", ("job_id", job.JobId)));
        Assert.Equal(ended.TestAccuracy, after.Single("clustertrainer_epoch_test_accuracy", ("job_id", job.JobId)), 9);
    }

    [Fact]
    public async Task A_dqn_job_should_export_its_env_steps_updates_and_returns()
    {
        var (job, last) = await cluster.SubmitAndFollowAsync(
            new SubmitJobRequest { Dqn = new DqnSpec { Env = "cartpole", Collectors = 2, Steps = 3000, Seed = 4 } }, _ => false);
        var metrics = await ScrapeAsync(cluster.DashboardUrl + "/metrics");

        Assert.True(last.Ended.State == JobState.Finished, last.Ended.Error);
        var envSteps = metrics.Single("clustertrainer_dqn_env_steps_total", ("job_id", job.JobId));
        Assert.True(envSteps is > 0 and <= 3000, $"{envSteps} env steps");
        Assert.True(metrics.Single("clustertrainer_dqn_updates_total", ("job_id", job.JobId)) > 0);
        Assert.True(metrics.Single("clustertrainer_dqn_train_mean_return", ("job_id", job.JobId)) > 0);
        Assert.Equal(last.Ended.EvalMeanReturn, metrics.Single("clustertrainer_dqn_eval_mean_return", ("job_id", job.JobId)), 9);
        Assert.DoesNotContain(metrics, s => s.Name == "clustertrainer_job_steps_total" && s.Labels["job_id"] == job.JobId);
    }
}
