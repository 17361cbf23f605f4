using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClusterTrainer.Deploy.Tests;

/// <summary>Prometheus scraping in the manifests and compose, and the Grafana dashboard in deploy/.</summary>
public sealed partial class MonitoringTests
{
    private const string Dashboard = "deploy/grafana-dashboard.json";
    private const string Instruments = "src/ClusterTrainer.Cluster/Metrics/NodeMetrics.cs";

    public static TheoryData<string> Kustomizations => new() { "k8s", "k8s/overlays/gpu" };

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public void Should_annotate_every_node_pod_for_prometheus_on_its_management_port(string directory)
    {
        var manifests = Kubectl.Render(directory);
        Assert.NotEmpty(manifests.ClusterPods);
        foreach (var pod in manifests.ClusterPods)
        {
            var annotations = pod.Template.Pairs("metadata", "annotations");
            var management = pod.Ports.Where(p => p.Name == NodeContract.ManagementPortName).Select(p => p.Number).ToList();
            Assert.True(annotations.GetValueOrDefault("prometheus.io/scrape") == "true", $"{directory}: {pod.Workload} has no prometheus.io/scrape: \"true\"");
            Assert.Equal("/metrics", annotations.GetValueOrDefault("prometheus.io/path"));
            Assert.True(management.Count == 1 && annotations.GetValueOrDefault("prometheus.io/port") == management[0].ToString(CultureInfo.InvariantCulture),
                $"{directory}: {pod.Workload} is scraped on port {annotations.GetValueOrDefault("prometheus.io/port")}, its management port is {string.Join(",", management)}");
        }

        foreach (var pod in manifests.PodTemplates.Except(manifests.ClusterPods))
        {
            Assert.False(pod.Template.Pairs("metadata", "annotations").ContainsKey("prometheus.io/scrape"), $"{directory}: {pod.Workload} serves no /metrics but is annotated for scraping");
        }
    }

    [Fact]
    public void Should_serve_metrics_on_the_management_port_in_the_image_and_publish_the_coordinator_s()
    {
        Assert.Equal(NodeContract.ManagementPort.ToString(CultureInfo.InvariantCulture), Dockerfile.Env.GetValueOrDefault("CLUSTERTRAINER_MANAGEMENT_PORT"));
        Assert.Contains(Compose.Ports(Compose.Service("coordinator")), p => p.Container == "8558" && p.Host == "8558");
    }

    [Fact]
    public void The_grafana_dashboard_should_query_only_metrics_the_nodes_export()
    {
        using var dashboard = JsonDocument.Parse(Repo.Read(Dashboard));
        var exported = ExportedName().Matches(Repo.Read(Instruments)).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().ToList();

        Assert.NotEmpty(panels);
        foreach (var panel in panels)
        {
            var title = panel.GetProperty("title").GetString();
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.True(targets.Count > 0, $"{Dashboard}: panel '{title}' has no query");
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            foreach (var expression in targets.Select(t => t.GetProperty("expr").GetString()!))
            {
                foreach (Match metric in QueriedName().Matches(expression))
                {
                    var name = Regex.Replace(metric.Value, "_(sum|count|bucket)$", "");
                    Assert.True(exported.Contains(name), $"{Dashboard}: panel '{title}' queries {metric.Value}, which {Instruments} does not export");
                }
            }
        }
    }

    [Fact]
    public void The_grafana_dashboard_should_show_what_people_watch_a_training_by()
    {
        var text = Repo.Read(Dashboard);

        foreach (var metric in new[]
        {
            "clustertrainer_worker_steps_total", "clustertrainer_worker_samples_total", "clustertrainer_worker_step_phase_seconds_sum",
            "clustertrainer_job_train_loss", "clustertrainer_epoch_test_accuracy", "clustertrainer_jobs", "clustertrainer_registered_workers",
            "clustertrainer_exchange_bytes_total", "clustertrainer_dqn_env_steps_total", "clustertrainer_dqn_updates_total",
            "clustertrainer_dqn_train_mean_return", "clustertrainer_dqn_eval_mean_return",
        })
        {
            Assert.True(text.Contains(metric, StringComparison.Ordinal), $"{Dashboard} has no panel over {metric}");
        }
    }

    [GeneratedRegex(@"""(?<name>clustertrainer_[a-z_]+)""")]
    private static partial Regex ExportedName();

    [GeneratedRegex(@"clustertrainer_[a-z_]+")]
    private static partial Regex QueriedName();
}
