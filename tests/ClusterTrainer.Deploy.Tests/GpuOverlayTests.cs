namespace ClusterTrainer.Deploy.Tests;

/// <summary>k8s/overlays/gpu changes the workers only. (Rendered, never run: no GPU and no CUDA TorchSharp here.)</summary>
public sealed class GpuOverlayTests
{
    private const string Overlay = "k8s/overlays/gpu";

    [Fact]
    public void Should_give_each_gpu_worker_one_gpu_and_the_cuda_image()
    {
        var worker = Worker(Kubectl.Render(Overlay));

        Assert.True(worker.Text("resources", "limits", "nvidia.com/gpu") == "1", $"{Overlay}: the worker container must limit nvidia.com/gpu to 1");
        Assert.True(worker.Text("image")?.EndsWith(":cuda", StringComparison.Ordinal) == true,
            $"{Overlay}: the worker image is {worker.Text("image")}, expected the CUDA build (tag cuda)");
        Assert.True(worker.Text("resources", "limits", "cpu") is not null && worker.Text("resources", "limits", "memory") is not null,
            $"{Overlay}: the GPU patch must keep the base's CPU and memory limits");
    }

    [Fact]
    public void Should_select_gpu_nodes_by_the_resource_the_device_plugin_advertises_not_by_a_label()
    {
        // The plain NVIDIA device plugin advertises nvidia.com/gpu but labels nothing: a node selector on a GPU
        // Feature Discovery label would leave every worker Pending on clusters without GFD.
        var pod = Kubectl.Render(Overlay).Find("Deployment", "clustertrainer-worker").Map("spec", "template", "spec");

        Assert.True(pod.Pairs("nodeSelector").Count == 0, $"{Overlay}: the worker pod selects nodes by label ({string.Join(", ", pod.Pairs("nodeSelector").Keys)})");
        Assert.True(pod.Items("tolerations").Any(t => t.Text("key") == "nvidia.com/gpu"), $"{Overlay}: the worker pod does not tolerate the nvidia.com/gpu taint");
    }

    [Fact]
    public void Should_add_the_gfd_label_only_in_the_gfd_overlay_and_change_nothing_else()
    {
        var gfd = Kubectl.Render("k8s/overlays/gpu-gfd");
        var pod = gfd.Find("Deployment", "clustertrainer-worker").Map("spec", "template", "spec");

        Assert.True(pod.Pairs("nodeSelector").GetValueOrDefault("nvidia.com/gpu.present") == "true", "k8s/overlays/gpu-gfd: the worker pod does not select nvidia.com/gpu.present=true");
        Assert.True(Worker(gfd).Text("resources", "limits", "nvidia.com/gpu") == "1", "k8s/overlays/gpu-gfd: the worker lost its GPU limit");
        var gpu = Kubectl.Render(Overlay).Objects.ToDictionary(Manifests.Id, o => Canonical(o), StringComparer.Ordinal);
        foreach (var o in gfd.Objects.Where(o => Manifests.Id(o) != "Deployment/clustertrainer-worker"))
        {
            Assert.True(gpu[Manifests.Id(o)] == Canonical(o), $"k8s/overlays/gpu-gfd changes {Manifests.Id(o)}; it should patch the worker Deployment only");
        }
    }

    [Fact]
    public void Should_leave_everything_but_the_worker_deployment_as_in_the_base()
    {
        var baseObjects = Kubectl.Render("k8s").Objects.ToDictionary(Manifests.Id, o => Canonical(o), StringComparer.Ordinal);
        var overlayObjects = Kubectl.Render(Overlay).Objects.ToDictionary(Manifests.Id, o => Canonical(o), StringComparer.Ordinal);

        Assert.Equal(baseObjects.Keys.Order(StringComparer.Ordinal), overlayObjects.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, text) in baseObjects.Where(pair => pair.Key != "Deployment/clustertrainer-worker"))
        {
            Assert.True(overlayObjects[id] == text, $"{Overlay} changes {id}; it should patch the worker Deployment only");
        }
    }

    private static YamlNode Worker(Manifests manifests)
    {
        var deployment = manifests.Find("Deployment", "clustertrainer-worker");
        Assert.False(deployment is null, $"{manifests}: Deployment/clustertrainer-worker is not rendered");
        return deployment.Items("spec", "template", "spec", "containers").Single(c => c.Text("name") == "node");
    }

    private static string Canonical(YamlNode node)
    {
        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }
}
