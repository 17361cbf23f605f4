using YamlDotNet.RepresentationModel;

namespace ClusterTrainer.Deploy.Tests;

/// <summary>k8s/overlays/postgres-job-store points the coordinator's job store at PostgreSQL, from a Secret (issue 11).</summary>
public sealed class JobStoreOverlayTests
{
    private const string Overlay = "k8s/overlays/postgres-job-store";

    [Fact]
    public void Should_give_the_coordinator_the_job_store_url_from_a_secret_and_leave_the_base_on_sqlite()
    {
        var store = JobStoreVariable(Kubectl.Render(Overlay));

        Assert.True(store is not null, $"{Overlay}: the coordinator has no CLUSTERTRAINER_JOB_STORE");
        Assert.True(store.Text("value") is null, $"{Overlay}: CLUSTERTRAINER_JOB_STORE must come from a Secret, not a literal (it holds a password)");
        Assert.Equal(("clustertrainer-job-store", "url"), (store.Text("valueFrom", "secretKeyRef", "name"), store.Text("valueFrom", "secretKeyRef", "key")));
        Assert.True(JobStoreVariable(Kubectl.Render("k8s")) is null, "k8s/base must keep the default store (SQLite in the runs volume), not ask for a Secret");
    }

    [Fact]
    public void Should_change_nothing_but_the_coordinator()
    {
        var baseObjects = Kubectl.Render("k8s").Objects.ToDictionary(Manifests.Id, Canonical, StringComparer.Ordinal);
        var overlayObjects = Kubectl.Render(Overlay).Objects.ToDictionary(Manifests.Id, Canonical, StringComparer.Ordinal);

        Assert.Equal(baseObjects.Keys.Order(StringComparer.Ordinal), overlayObjects.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, text) in baseObjects.Where(pair => pair.Key != "StatefulSet/clustertrainer-coordinator"))
        {
            Assert.True(overlayObjects[id] == text, $"{Overlay} changes {id}; it should patch the coordinator only");
        }
    }

    private static YamlNode? JobStoreVariable(Manifests manifests)
    {
        var coordinator = manifests.Find("StatefulSet", "clustertrainer-coordinator");
        Assert.False(coordinator is null, $"{manifests}: StatefulSet/clustertrainer-coordinator is not rendered");
        var node = coordinator.Items("spec", "template", "spec", "containers").Single(c => c.Text("name") == "node");
        return node.Items("env").FirstOrDefault(e => e.Text("name") == "CLUSTERTRAINER_JOB_STORE");
    }

    private static string Canonical(YamlMappingNode node)
    {
        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }
}
